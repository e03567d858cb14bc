/** A URL in a text: its scheme, then everything up to a space, a quote, a bracket or the next URL. */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)((?:(?!\b[a-z][a-z0-9+.-]*:\/\/)[^\s"'`<>])*)/gi;

/** Schemes whose lone user name (`postgres://role@host`) is a role, not a token. */
const ROLE_SCHEMES = /^postgres(ql)?:\/\/$/i;

/**
 * Where the credentials of a URL's rest (after `scheme://`) end: the last "@" before the path,
 * or, when a "/", "?" or "#" comes before any "@" (a password holding one, which breaks the URL),
 * the URL's last "@". A path with an "@" then loses its host too: better too much hidden than a
 * password shown. -1: no credentials.
 */
function credentialsEnd(rest: string): number {
  const firstAt = rest.indexOf("@");
  if (firstAt < 0) return -1;
  const pathStart = rest.search(/[/?#]/);
  if (pathStart >= 0 && pathStart < firstAt) return rest.lastIndexOf("@");
  return rest.slice(0, pathStart < 0 ? undefined : pathStart).lastIndexOf("@");
}

function redactOne(scheme: string, rest: string): string {
  const end = credentialsEnd(rest);
  if (end < 0) return scheme + rest;
  const userinfo = rest.slice(0, end);
  const colon = userinfo.indexOf(":");
  const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
  const plainUser = !/[/?#]/.test(user);
  const shown =
    colon >= 0 && plainUser
      ? `${user}:***`
      : colon < 0 && plainUser && ROLE_SCHEMES.test(scheme)
        ? user
        : "***";
  return `${scheme}${shown}${rest.slice(end)}`;
}

/**
 * The text with the secret of every URL in it replaced by `***`, so that a URL such as
 * `http://user:secret@host/v1` can be echoed (in records, errors, logs, server answers) as
 * `http://user:***@host/v1`. A user name alone (`https://token@host`) may be a token: it goes too,
 * except a PostgreSQL URL's role. The one redaction of every URL the project prints.
 */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (_match, scheme: string, rest: string) => redactOne(scheme, rest));
}
