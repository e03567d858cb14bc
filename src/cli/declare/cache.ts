import type { Command } from "commander";
import type { CachePruneOptions } from "../commands/cache.js";
import type { CliIo } from "../io.js";

/** `tpo cache`: declared here (light, for `--help`); ../commands/cache.ts does the work. */
export function declareCache(program: Command, io: CliIo): void {
  const cache = program
    .command("cache")
    .description("The persistent cache of `--cache`: reward scores and seeded responses (docs/cache.md)");
  cache
    .command("prune")
    .description(
      "Delete the entries of a cache written more than --older-than ago, and say how many are left",
    )
    .argument("<cache>", "the cache: a SQLite file or a postgres:// URL, as given to --cache")
    .option("--older-than <age>", 'an age: "30d", "12h", "90m" or "45s"; "0s" deletes every entry', "30d")
    .action(async (target: string, options: CachePruneOptions) => {
      const { cachePruneAction } = await import("../commands/cache.js");
      await cachePruneAction(target, options, io);
    });
}
