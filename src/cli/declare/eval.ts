import type { Command } from "commander";
import type { ScoreAlpacaEvalOptions, ScoreArenaHardOptions } from "../commands/eval-score.js";
import type { CliIo } from "../io.js";

/** `tpo eval`: declared here (light, for `--help`); ../commands/eval-score.ts does the work. */
export function declareEval(program: Command, io: CliIo): void {
  const evaluation = program
    .command("eval")
    .description(
      "Leaderboard numbers for your answers: AlpacaEval 2 and Arena-Hard, scored as the official tools score them",
    );
  const score = evaluation
    .command("score")
    .description(
      "Score files that a judge has already written (alpaca_eval annotations, arena-hard-auto judgments)",
    );
  score
    .command("alpaca-eval")
    .description(
      "Win rate and, with --gamed, the length-controlled win rate of alpaca_eval's annotations.json",
    )
    .argument("<annotations>", "alpaca_eval's annotations.json (output_1 = baseline, output_2 = model)")
    .option(
      "--gamed <file>",
      "alpaca_eval's df_gamed.csv (Hugging Face data set tatsu-lab/alpaca_eval), for the LC win rate",
    )
    .option("--json", "print alpaca_eval's fields as JSON")
    .action(async (file: string, options: ScoreAlpacaEvalOptions) => {
      const { scoreAlpacaEvalAction } = await import("../commands/eval-score.js");
      scoreAlpacaEvalAction(file, options, io);
    });
  score
    .command("arena-hard")
    .description("Scores in percent with bootstrap intervals from arena-hard-auto judgment files")
    .argument("<judgments...>", "arena-hard-auto model_judgment files (JSONL)")
    .option("--baseline <name>", "the baseline model of the judgments", "o3-mini-2025-01-31")
    .option("--category <name>", "score one category of questions (needed when the files hold several)")
    .option("--style-control", "control for length and markdown (arena-hard-auto v2's style features)")
    .option(
      "--answers <files...>",
      "with --style-control: model_answer files whose metadata has each answer's style, the baseline's included",
    )
    .option("--seed <n>", "seed of the bootstrap", "0")
    .option("--json", "print the rows as JSON")
    .action(async (files: string[], options: ScoreArenaHardOptions) => {
      const { scoreArenaHardAction } = await import("../commands/eval-score.js");
      scoreArenaHardAction(files, options, io);
    });
}
