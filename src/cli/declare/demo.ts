import type { Command } from "commander";
import type { DemoOptions } from "../commands/demo.js";
import { defaultSamplePromptsPath } from "../paths.js";
import type { CliIo } from "../io.js";

/** `tpo demo`: declared here (light, for `--help`); ../commands/demo.ts does the work. */
export function declareDemo(program: Command, io: CliIo): void {
  program
    .command("demo")
    .description("Run TPO in the simulated world on a few sample prompts and show every iteration")
    .option("--prompts <file>", "JSON array of prompts", defaultSamplePromptsPath())
    .option("--count <n>", "how many prompts to run", "3")
    .option("--width <n>", "search width N", "5")
    .option("--depth <n>", "search depth D", "2")
    .option("--seed <n>", "seed of the simulated world", "7")
    .option("--no-explain", "do not explain the first prompt's iterations (chosen, rejected, critique, diff)")
    .action(async (options: DemoOptions) => {
      const { demoAction } = await import("../commands/demo.js");
      await demoAction(options, io);
    });
}
