/** A URL's `user:password@` part, in any text: `http://user:secret@host` → `http://***@host`. */
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s"'<>]*@/gi;

/**
 * The text with the credentials of every URL in it replaced by `***`, so that a URL such as
 * `http://user:secret@host/v1` can be echoed (in records, errors, logs, server answers) without
 * its secret.
 */
export function redactUrls(text: string): string {
  return text.replace(CREDENTIALS, "$1***@");
}
