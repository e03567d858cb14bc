import { TpoQueueError } from "../errors.js";
import { redactUrls } from "../util/redact.js";

import { isPostgresUrl } from "../util/postgres-url.js";

export { isPostgresUrl };

const ENCODE_HINT =
  'percent-encode the user name and password ("/" is %2F, "?" %3F, "#" %23, "@" %40, ":" %3A; encodeURIComponent does it)';

/** Checks that `url` is a PostgreSQL URL; the error names what is wrong, never the password. */
export function checkQueueUrl(url: string): void {
  const shown = redactUrls(url);
  if (!isPostgresUrl(url)) {
    throw new TpoQueueError(
      `${shown} is not a PostgreSQL URL: the queue lives in a PostgreSQL database, named as ` +
        "postgres://user:password@host:5432/database.",
      "url",
    );
  }
  // A "/", "?" or "#" before the last "@" ends the host part early: the driver would take the
  // password's start for a host (and "user:1234/…" for a port).
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  const userinfo = rest.slice(0, Math.max(0, rest.lastIndexOf("@")));
  let parsed: URL | null = null;
  try {
    if (!/[/?#]/.test(userinfo)) parsed = new URL(url);
  } catch {
    // refused below
  }
  if (!parsed) {
    throw new TpoQueueError(
      `${shown} is not a valid URL (postgres://user:password@host:5432/database); ${ENCODE_HINT}.`,
      "url",
    );
  }
  if (!parsed.hostname) {
    throw new TpoQueueError(
      `${shown} names no host; write it as postgres://user:password@host:5432/database.`,
      "url",
    );
  }
}
