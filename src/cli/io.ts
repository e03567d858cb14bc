/** An output stream as a command uses it: text in, and whether a person is watching (a terminal). */
export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Where a command prints and what it reads of its surroundings: the process's own streams and
 * environment when `tpo` runs (processIo), a test's when it calls the program in-process. A command
 * takes it as a parameter and never reaches for `console`, `process.stdout` or `process.env`, so
 * that one process can run it many times (tests/cli-io.test.ts keeps it so).
 */
export interface CliIo {
  /** The command's result: an answer, a table, JSON for another program. */
  stdout: OutStream;
  /** Progress, notes and errors, for the person. */
  stderr: OutStream;
  /** The environment the command reads: model settings, limits, colour. */
  env: NodeJS.ProcessEnv;
}

/** The io of the `tpo` process itself. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** `console.log`'s job on a command's stream: the text and a newline. */
export function writeLine(stream: OutStream, text = ""): void {
  stream.write(`${text}\n`);
}
