import { TpoQueueError } from "../errors.js";

/** Whether a string names a PostgreSQL database by URL. */
export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/** The URL as it may be printed: any password replaced. */
export function redactQueueUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
  }
}

/** Checks that `url` is a PostgreSQL URL; the error names what is wrong, never the password. */
export function checkQueueUrl(url: string): void {
  const shown = redactQueueUrl(url);
  if (!isPostgresUrl(url)) {
    throw new TpoQueueError(
      `${shown} is not a PostgreSQL URL: the queue lives in a PostgreSQL database, named as ` +
        "postgres://user:password@host:5432/database.",
      "url",
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TpoQueueError(
      `${shown} is not a valid URL; write it as postgres://user:password@host:5432/database ` +
        "(a password with @, / or : in it must be percent-encoded).",
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
