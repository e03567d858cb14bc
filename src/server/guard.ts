import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./http-io.js";

/**
 * What a browser may do with the server: nothing unless the operator says so. A web page can send
 * a "simple" cross-site POST (text/plain, no preflight) to a server on 127.0.0.1, and with DNS
 * rebinding it can read the answer under its own host name. So requests must name this server in
 * `Host`, carry no `Origin` other than an allowed one, and send JSON as application/json.
 */
export interface BrowserGuard {
  /** Host names accepted in `Host` (any port); null accepts any (a wildcard bind without a list). */
  hosts: Set<string> | null;
  /** Origins that may call the server from a browser, e.g. https://app.example; "*" for any. */
  origins: Set<string>;
  /**
   * Whether the server's own pages (the playground) may call it: a request whose Origin is the
   * server itself, under a host name of `hosts` (never with `hosts` null, where DNS rebinding
   * would make any site "the server itself").
   */
  sameOrigin: boolean;
}

const LOOPBACK = ["localhost", "127.0.0.1", "::1"];
const WILDCARD = ["0.0.0.0", "::", ""];

/** A host name as compared: lower case, without brackets or a trailing dot. */
function normalHost(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
}

/** The host name of a `Host` header, without its port. */
function hostOf(header: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(header.trim());
  if (bracketed) return normalHost(bracketed[1]);
  return normalHost(header.replace(/:\d*$/, ""));
}

/** An origin as a browser sends it (scheme://host[:port]), or an error naming what is wrong. */
export function normalOrigin(origin: string): string {
  if (origin === "*") return origin;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new Error(`"${origin}" is not an origin such as https://app.example`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin === "null") {
    throw new Error(`"${origin}" is not an http:// or https:// origin`);
  }
  return url.origin;
}

/** The guard of a server bound to `bindHost`: loopback names and the bound address, plus `hosts`. */
export function browserGuard(
  bindHost: string,
  hosts?: string[],
  origins: string[] = [],
  sameOrigin = false,
): BrowserGuard {
  const wildcard = WILDCARD.includes(normalHost(bindHost));
  const accepted =
    wildcard && (hosts === undefined || hosts.length === 0)
      ? null
      : new Set([...LOOPBACK, normalHost(bindHost), ...(hosts ?? []).map(normalHost)]);
  return { hosts: accepted, origins: new Set(origins.map(normalOrigin)), sameOrigin };
}

/** Whether `origin` is the server as the request names it in Host (its own page calling it). */
function isSameOrigin(origin: string, host: string, guard: BrowserGuard): boolean {
  if (!guard.sameOrigin || guard.hosts === null || !guard.hosts.has(hostOf(host))) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}

function refused(message: string, code: string): ApiError {
  return new ApiError(403, message, "invalid_request_error", null, code, { connection: "close" });
}

/**
 * Checks Host and Origin; for an allowed origin, sets the CORS headers of the answer. Returns true
 * when the request was a CORS preflight, which it has answered.
 */
export function guardBrowser(req: IncomingMessage, res: ServerResponse, guard: BrowserGuard): boolean {
  const host = req.headers.host ?? "";
  if (guard.hosts && !guard.hosts.has(hostOf(host))) {
    throw refused(
      `Host ${hostOf(host) || "(none)"} is not a name of this server, so the request may come from a web page ` +
        "through DNS rebinding; call it by its address, or add the name with tpo serve --allowed-hosts.",
      "host_not_allowed",
    );
  }
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  if (isSameOrigin(origin, host, guard)) return false; // the playground, on this server
  if (!guard.origins.has("*") && !guard.origins.has(origin)) {
    const own = guard.sameOrigin && guard.hosts === null && origin.endsWith(`//${host}`);
    throw refused(
      own
        ? `Origin ${origin}: a server bound to every address takes its own pages' requests only under the ` +
            "names given with tpo serve --allowed-hosts (against DNS rebinding); open the playground by one of them."
        : `Origin ${origin} may not call this server: browsers on other sites are refused; allow the site with ` +
            "tpo serve --cors-origin.",
      "origin_not_allowed",
    );
  }
  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("vary", "Origin");
  if (req.method !== "OPTIONS") return false;
  res.writeHead(204, {
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-allow-headers": "authorization, content-type",
    "access-control-max-age": "600",
    "content-length": "0",
  });
  res.end();
  return true;
}

/** A request body must be declared as JSON: a browser can send text/plain across sites unasked. */
export function requireJson(req: IncomingMessage): void {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/json") return;
  throw new ApiError(
    415,
    `The request body must be sent with Content-Type: application/json${type ? `, not ${type}` : ""}.`,
    "invalid_request_error",
    null,
    "unsupported_media_type",
    { connection: "close" },
  );
}
