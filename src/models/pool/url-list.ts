import { TpoConfigError } from "../../errors.js";
import { redactUrls } from "../../http/redact.js";

/**
 * The servers of a setting that takes a comma-separated list of URLs of the same model, e.g.
 * `http://gpu1:8000/v1,http://gpu2:8000/v1`; one URL is a list of one. Each must be an http(s)
 * URL, and none may appear twice.
 */
export function parseUrlList(text: string, setting: string): string[] {
  const urls = text
    .split(",")
    .map((url) => url.trim())
    .filter((url) => url !== "");
  if (urls.length === 0) {
    throw new TpoConfigError(`${setting} is empty: give a URL, or several separated by commas.`);
  }
  for (const url of urls) {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw new TpoConfigError(
        `${setting}: "${redactUrls(url)}" is not a URL; give one URL, or several separated by commas.`,
      );
    }
    if (protocol !== "http:" && protocol !== "https:") {
      throw new TpoConfigError(`${setting}: "${redactUrls(url)}" must start with http:// or https://.`);
    }
  }
  const twice = urls.find((url, i) => urls.indexOf(url) !== i);
  if (twice !== undefined) {
    throw new TpoConfigError(`${setting} lists ${redactUrls(twice)} twice: give each server once.`);
  }
  return urls;
}
