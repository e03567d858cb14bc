/** Bad usage: a wrong flag value, a missing file, an unreadable input. The CLI exits with 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliUsageError";
  }
}

/** A run that started and failed; the message names the failing step or endpoint. The CLI exits with 1. */
export class CliRunError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliRunError";
  }
}

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_USAGE = 2;

/** Node's raw "listen EADDRINUSE" of a server the CLI starts, as one line naming the port and the way out. */
export function portInUse(error: unknown, host: string, port: number): unknown {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== "EADDRINUSE") return error;
  return new CliUsageError(
    `port ${port} on ${host} is in use (another tpo sim-server or server?): stop it, or give another ` +
      "port with --port (--port 0 takes a free one and prints it).",
  );
}
