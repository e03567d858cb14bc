/** A URL's `user:password@` or `token@` part, in any text. */
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/?#\s"'<>]*)@/gi;

/**
 * The text with the secret of every URL in it replaced by `***`, so that a URL such as
 * `http://user:secret@host/v1` can be echoed (in records, errors, logs, server answers) as
 * `http://user:***@host/v1`. A user name alone (`https://token@host`) may be a token: it goes too.
 */
export function redactUrls(text: string): string {
  return text.replace(CREDENTIALS, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    return colon >= 0 ? `${scheme}${userinfo.slice(0, colon)}:***@` : `${scheme}***@`;
  });
}
