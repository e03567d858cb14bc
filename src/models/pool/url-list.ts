import { TpoConfigError } from "../../errors.js";
import { redactUrls } from "../../util/redact.js";

/**
 * Where one URL of a list ends: at a comma followed by the next URL's scheme. Splitting there, not
 * at every comma, keeps a comma inside a URL's user:password (`http://tok,secret@host`) in its URL.
 */
const NEXT_URL = /,\s*(?=[a-z][a-z0-9+.-]*:\/\/)/i;

/** The names of this machine's loopback interface, which reach the same server. */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

const ORDINALS = ["first", "second", "third"];

function ordinal(index: number): string {
  return ORDINALS[index] ?? `${index + 1}th`;
}

/** A URL's text after its `user:password@`: host, port, path, query. */
function afterCredentials(url: string): string {
  const rest = url.slice(url.indexOf("://") + 3);
  const end = rest.search(/[/?#]/);
  return rest.slice(rest.slice(0, end < 0 ? undefined : end).lastIndexOf("@") + 1);
}

/**
 * A URL as the duplicate check compares it: scheme, host (loopback names as one), port (the
 * scheme's default filled in), path without trailing slashes, query; credentials left out, since
 * two keys for one server are still one server.
 */
export function serverIdentity(url: string): string {
  const parsed = new URL(url);
  const host = LOOPBACK.has(parsed.hostname) ? "loopback" : parsed.hostname;
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return `${parsed.protocol}//${host}:${port}${parsed.pathname.replace(/\/+$/, "")}${parsed.search}`;
}

/**
 * The servers of a setting that takes a comma-separated list of URLs of the same model, e.g.
 * `http://gpu1:8000/v1,http://gpu2:8000/v1`; one URL is a list of one. The one parser of server
 * lists, for every role (policy, critic, judge, reward). Each entry must be an http(s) URL, and no
 * server may appear twice, however it is written (`localhost` or `127.0.0.1`, a trailing `/`, the
 * default port spelt out): a server listed twice would get twice its share and be retried as its
 * own failover. Messages never show a URL's secret: an entry that does not parse and holds an `@`
 * is named by its position alone.
 */
export function parseUrlList(text: string, setting: string): string[] {
  const urls = text
    .split(NEXT_URL)
    // Spaces, and commas with nothing after them ("http://a/v1,"), around an entry are no part of it.
    .map((url) => url.replace(/^[\s,]+|[\s,]+$/g, ""))
    .filter((url) => url !== "");
  if (urls.length === 0) {
    throw new TpoConfigError(`${setting} is empty: give a URL, or several separated by commas.`);
  }
  const identities = urls.map((url, index) => {
    const entry = url.includes("@") ? `its ${ordinal(index)} entry` : `"${redactUrls(url)}"`;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TpoConfigError(
        `${setting}: ${entry} is not a URL; give one URL, or several separated by commas, each starting with http:// or https://.`,
      );
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new TpoConfigError(`${setting}: ${entry} must start with http:// or https://.`);
    }
    if (afterCredentials(url).includes(",")) {
      throw new TpoConfigError(
        `${setting}: its ${ordinal(index)} URL has a comma after its host; separate servers with ` +
          "commas, each URL starting with http:// or https://.",
      );
    }
    return serverIdentity(url);
  });
  const twice = identities.findIndex((identity, i) => identities.indexOf(identity) !== i);
  if (twice >= 0) {
    const first = identities.indexOf(identities[twice]);
    throw new TpoConfigError(
      `${setting} lists one server twice: ${redactUrls(urls[first])} and ${redactUrls(urls[twice])}; ` +
        "give each server once.",
    );
  }
  return urls;
}
