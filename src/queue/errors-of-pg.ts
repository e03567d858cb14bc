import { TpoQueueError } from "../errors.js";

/** An error's message; a connection refused on every address of a host (an AggregateError) lists each. */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map((e: unknown) => reasonOf(e)))].join("; ");
  }
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}

const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ECONNRESET",
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  if (error instanceof AggregateError) return error.errors.map(codeOf).find((c) => c !== undefined);
  return undefined;
}

/**
 * A failure to reach or use the queue's database as a TpoQueueError whose message says what to
 * fix. `where` is the redacted URL; PostgreSQL's own messages name users and databases, never a
 * password.
 */
export function queueErrorOf(error: unknown, where: string): TpoQueueError {
  if (error instanceof TpoQueueError) return error;
  const code = codeOf(error);
  const reason = reasonOf(error);
  if (code === "28P01" || code === "28000") {
    return new TpoQueueError(
      `${where}: PostgreSQL refused the login (${reason}). Check the user and password in the URL.`,
      "auth",
      { cause: error },
    );
  }
  if (code === "3D000") {
    return new TpoQueueError(
      `${where}: ${reason}. Create it first (\`createdb NAME\`, or CREATE DATABASE), or name another database in the URL.`,
      "database",
      { cause: error },
    );
  }
  if (code === "42501") {
    return new TpoQueueError(
      `${where}: the user may not set up or use the queue's tables (${reason}). Grant it CREATE on the ` +
        "database (GRANT CREATE ON DATABASE …) for the first run, and the use of the schemas tpo_queue and tpo_pgboss.",
      "rights",
      { cause: error },
    );
  }
  if ((code && CONNECT_CODES.has(code)) || /timeout|terminated|connect/i.test(reason)) {
    return new TpoQueueError(
      `${where}: no PostgreSQL server answered (${reason}). Check that it runs and that the host and port of the URL are right.`,
      "connect",
      { cause: error },
    );
  }
  return new TpoQueueError(`${where}: ${reason}`, "schema", { cause: error });
}
