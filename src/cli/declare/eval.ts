import type { Command } from "commander";
import type { ScoreAlpacaEvalOptions, ScoreArenaHardOptions } from "../commands/eval-score.js";
import type { CliIo } from "../io.js";
import type { JudgeAlpacaEvalOptions } from "../commands/eval-alpaca-eval.js";
import type { JudgeArenaHardOptions } from "../commands/eval-arena-hard.js";
import { CliUsageError } from "../errors.js";
import { addJudgeFlags, JUDGE_CACHE_FLAG } from "../flag-tables.js";

/** The flags that pick our answers and run the judging as a batch, shared by both judged leaderboards. */
function addJudgingFlags(command: Command): Command {
  command
    .option(
      "--mode <side>",
      "whose answers: tpo, revision, bon, or first:<mode> (a run's first sample)",
      "tpo",
    )
    .option("--iteration <k>", "judge the best answer up to iteration k instead of the final one")
    .option(
      "--model-name <name>",
      "our model's name in the judged file (default: the policy's name and the side)",
    )
    .option(
      "--judge-template <file>",
      "the judge's prompt from a file (ChatML blocks, as alpaca_eval's templates, or plain text): the official one, for comparable numbers",
    )
    .option("--concurrency <k>", "items judged at once", "4")
    .option("--overwrite", "judge again from scratch (by default a rerun continues --out)")
    .option("--json", "print the scores as JSON (the judge's note goes to standard error)")
    .option("--quiet", "no progress on standard error")
    .option(
      "--langsmith-experiment <name>",
      "the name given to tpo batch: each example's judge preference on its run in <name>-<mode>, the scores on that experiment",
    )
    .option(
      "--queue [postgres://url]",
      "judge on `tpo worker`s through the job queue in this PostgreSQL database (without a URL: $TPO_QUEUE_URL): one job per item, wait, write --out (docs/scale-out.md)",
    )
    .option("--detach", "with --queue: enqueue and return; the same command without --detach collects")
    .option("--max-attempts <n>", "with --queue: tries of a judge job before it ends failed (default 3)")
    .option(
      "--retry-delay <seconds>",
      "with --queue: pause before a failed judge job's first retry, doubling with each (default 10)",
    )
    .option(...JUDGE_CACHE_FLAG);
  return addJudgeFlags(command);
}

/** Before any judging: `--langsmith-experiment ""` names nothing. */
function refuseEmptyExperiment(options: { langsmithExperiment?: string }): void {
  if (options.langsmithExperiment !== undefined && !options.langsmithExperiment.trim())
    throw new CliUsageError("--langsmith-experiment needs a name (the one given to tpo batch).");
}

/** `tpo eval`: declared here (light, for `--help`); ../commands/eval-score.ts does the work. */
export function declareEval(program: Command, io: CliIo): void {
  const evaluation = program
    .command("eval")
    .description(
      "Leaderboard numbers for your answers: AlpacaEval 2 and Arena-Hard, scored as the official tools score them",
    );
  addJudgingFlags(
    evaluation
      .command("alpaca-eval")
      .description(
        "Judge our answers against AlpacaEval's reference outputs (alpaca_eval's weighted judge), write annotations.json, and score them",
      )
      .argument("<results>", "results file written by tpo batch (JSONL), run on AlpacaEval's instructions")
      .requiredOption(
        "--baseline <file>",
        "alpaca_eval's reference outputs (JSON list of { instruction, output, generator })",
      )
      .requiredOption(
        "--out <file>",
        "annotations.json to write (alpaca_eval's format); a rerun continues it",
      )
      .option("--discrete", "the discrete judge: the label it writes, for servers without log-probabilities")
      .option("--gamed <file>", "alpaca_eval's df_gamed.csv, for the LC win rate"),
  ).action(async (results: string, options: JudgeAlpacaEvalOptions) => {
    refuseEmptyExperiment(options);
    const { judgeAlpacaEvalAction } = await import("../commands/eval-alpaca-eval.js");
    await judgeAlpacaEvalAction(results, options, io);
  });
  addJudgingFlags(
    evaluation
      .command("arena-hard")
      .description(
        "Judge our answers against a baseline's on Arena-Hard questions, both orders, write arena-hard-auto judgments, and score them",
      )
      .argument("<results>", "results file written by tpo batch (JSONL), with the questions' uids as ids")
      .requiredOption("--baseline <file>", "the baseline's arena-hard-auto model_answer file (JSONL)")
      .requiredOption("--questions <file>", "arena-hard-auto's question.jsonl")
      .requiredOption(
        "--out <file>",
        "judgments file to write (JSONL, arena-hard-auto's format); a rerun continues it",
      )
      .option(
        "--category <name>",
        "score one category of questions (needed when the questions hold several)",
      ),
  ).action(async (results: string, options: JudgeArenaHardOptions) => {
    refuseEmptyExperiment(options);
    const { judgeArenaHardAction } = await import("../commands/eval-arena-hard.js");
    await judgeArenaHardAction(results, options, io);
  });
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
