import { createSimWorld } from "../../sim/index.js";
import { parseTpoContext } from "../../settings/run-settings.js";
import { createTpoGraph } from "../../graph/builder.js";
import { escapeControl } from "../../util/escape.js";
import { runTpoToEnd, whenIterationRecorded } from "../../run/index.js";
import { explainIteration } from "../explain/explain.js";
import { styleFor, wantsColour } from "../explain/style.js";
import { numberFlag } from "../flags.js";
import { requireFile } from "../paths.js";
import { readTextInput } from "../read-input.js";
import { CliUsageError } from "../errors.js";
import { writeLine, type CliIo } from "../io.js";
import { TpoFileError } from "../../errors.js";

function fixed(value: number | undefined): string {
  return value === undefined ? "   -  " : value.toFixed(2).padStart(6);
}

export interface DemoOptions {
  prompts: string;
  count: string;
  width: string;
  depth: string;
  seed: string;
  explain: boolean;
}

/**
 * A query as its heading shows it: the first line, whole up to `max` characters (beyond, cut at a
 * word and ended with "…"), and " …" when more lines follow.
 */
function queryHeading(query: string, max = 200): string {
  const [first, ...rest] = query.trim().split("\n");
  const space = first.lastIndexOf(" ", max - 1);
  const cut = first.length <= max ? first : `${first.slice(0, space > 0 ? space : max - 1).trimEnd()}…`;
  return rest.length > 0 ? `${cut} …` : cut;
}

/** The prompts of --prompts: a JSON array of strings, as data/tpo-sample-prompts.json. */
function readPrompts(path: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(readTextInput(path, "--prompts"));
  } catch (error) {
    if (error instanceof CliUsageError || error instanceof TpoFileError) throw error;
    throw new CliUsageError(escapeControl(`--prompts ${path} is not JSON: ${(error as Error).message}`));
  }
  if (!Array.isArray(value) || !value.every((p) => typeof p === "string")) {
    throw new CliUsageError(`--prompts ${path} must be a JSON array of prompt strings.`);
  }
  return value as string[];
}

/** `tpo demo`'s work; ../declare/demo.ts declares the command and loads this on demand. */
export async function demoAction(options: DemoOptions, io: CliIo): Promise<void> {
  const prompts = readPrompts(requireFile(options.prompts, "--prompts"));
  const seed = numberFlag("--seed", options.seed, { integer: true });
  const count = numberFlag("--count", options.count, { integer: true, min: 0 });
  const width = numberFlag("--width", options.width);
  const depth = numberFlag("--depth", options.depth);
  const world = createSimWorld(seed);
  const graph = createTpoGraph({ ...world, critic: world.policy });
  const style = styleFor(wantsColour(io.stdout, io.env));
  writeLine(
    io.stdout,
    "TPO in the simulated world: a demonstration of the mechanics, not a result about real models.\n",
  );
  for (const [index, query] of prompts.slice(0, count).entries()) {
    // The prompts file may hold anything: its control characters are printed as escapes.
    writeLine(io.stdout, escapeControl(`Query ${index + 1}: ${queryHeading(query)}`));
    const context = parseTpoContext({ width, depth, seed: seed + index });
    // The first prompt shows its work, iteration by iteration, as it happens.
    const explain = options.explain && index === 0;
    if (explain) writeLine(io.stdout);
    const { state: result } = await runTpoToEnd(
      graph,
      { query },
      {
        context,
        onEvent: whenIterationRecorded(
          explain
            ? (record, state) =>
                writeLine(
                  io.stdout,
                  explainIteration(record, state.pool, {
                    level: "short",
                    depth: context.depth,
                    mode: context.mode,
                    style,
                  }),
                )
            : undefined,
        ),
      },
    );
    writeLine(io.stdout, "  iteration    best    mean   worst   best so far");
    for (const record of result.history) {
      const s = record.scores;
      writeLine(
        io.stdout,
        `  ${String(record.iteration).padStart(9)}  ${fixed(s?.max)}  ${fixed(s?.mean)}  ${fixed(s?.min)}  ${fixed(record.bestSoFar ?? undefined)}`,
      );
    }
    writeLine(
      io.stdout,
      `  best response (score ${result.best?.score.toFixed(2)}, iteration ${result.best?.iteration}):`,
    );
    writeLine(io.stdout, `  ${escapeControl(result.best?.text ?? "")}\n`);
  }
}
