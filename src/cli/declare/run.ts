import type { Command } from "commander";
import { addModelFlags, addSettingFlags, CACHE_FLAG } from "../flag-tables.js";
import type { CliIo } from "../io.js";

/** `tpo run`: declared here (light, for `--help`); ../commands/run.ts does the work. */
export function declareRun(program: Command, io: CliIo): void {
  const command = program
    .command("run")
    .description(
      'Optimise the answer to one query: tpo run "<query>", tpo run - (standard input), or --messages file.json',
    )
    .argument("[query]", 'the query, or "-" to read it from standard input')
    .option(
      "--messages <file>",
      'a conversation: JSON array of { "role", "content" } ending with a user turn',
    )
    .option("--json", "print the full output (best, history, pool, usage) as JSON")
    .option("--quiet", "no progress lines on standard error")
    .option(...CACHE_FLAG)
    .option(
      "--explain [level]",
      "watch TPO work: per iteration, on standard error (the answer stays alone on standard output), " +
        "the chosen and rejected responses, the critique, the gradient and a word diff of the new best; " +
        "--explain=full prints the texts whole; in colour on a terminal unless NO_COLOR is set",
    );
  addSettingFlags(command);
  addModelFlags(command);
  command.action(async (query: string | undefined, options: Record<string, unknown>) => {
    const { runAction } = await import("../commands/run.js");
    await runAction(query, options, io);
  });
}
