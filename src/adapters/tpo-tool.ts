import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { TpoConfigError, TpoError } from "../errors.js";
import { createTpoGraph, type TpoGraph, type TpoGraphOptions } from "../graph/builder.js";
import { runTpoToEnd } from "../run/index.js";
import {
  MAX_DEPTH,
  parseTpoContext,
  TpoContextSchema,
  type TpoContextInput,
} from "../settings/run-settings.js";
import { DEFAULT_RUN_CAPS } from "../settings/caps.js";
import { failureLine } from "./failure-line.js";
import { isolatedCallbacks, NO_STREAM_TAG, runIsolated } from "./isolated-run.js";
import { summarizeRun, type TpoRunSummary } from "./run-summary.js";
import { tpoToolDescription } from "./tool-description.js";

/** The models (and nodes, prompts) of a TPO graph to build, or a compiled TPO graph to run. */
export type TpoToolOptions = (TpoGraphOptions | { graph: TpoGraph }) & {
  /** Run settings of every call; the agent's width and depth override them. */
  settings?: TpoContextInput;
  /** The tool's name. Default "tpo_optimize". */
  name?: string;
  /** What the agent reads about the tool. Default: what it does, what it costs, when it is worth it. */
  description?: string;
  /** The largest width the agent may ask for. Default 20 (as `tpo serve` and `tpo mcp`). */
  maxWidth?: number;
  /** The largest depth the agent may ask for. Default 5. */
  maxDepth?: number;
};

/** What the tool's ToolMessage carries as its artifact: the answer's score, provenance and cost. */
export type TpoToolArtifact = TpoRunSummary;

function cap(name: string, value: number | undefined, fallback: number, max: number): number {
  const cap = value ?? fallback;
  if (!Number.isInteger(cap) || cap < (name === "maxDepth" ? 0 : 1) || cap > max) {
    throw new TpoConfigError(`createTpoTool: ${name} must be a whole number up to ${max}, got ${cap}.`);
  }
  return cap;
}

/**
 * TPO as a LangChain tool, for an agent (`createReactAgent`, `createAgent`) to call when an answer
 * is worth optimising: its input is the query (and optionally width and depth), its output the
 * best answer; as a tool call it returns a ToolMessage whose artifact has the score and the cost.
 *
 * The run takes the agent's callbacks, so that it shows under the tool call in a trace
 * (LangSmith), and its abort signal, so that cancelling the agent stops TPO's model requests. It
 * does not join the agent's graph (checkpoints, streams): its inner model calls stay out of the
 * agent's "messages" stream.
 */
export function createTpoTool(options: TpoToolOptions) {
  const maxWidth = cap(
    "maxWidth",
    options.maxWidth,
    DEFAULT_RUN_CAPS.maxWidth,
    TpoContextSchema.shape.width.unwrap().maxValue!,
  );
  const maxDepth = cap("maxDepth", options.maxDepth, DEFAULT_RUN_CAPS.maxDepth, MAX_DEPTH);
  const given = options.settings ?? {};
  parseTpoContext(given); // a bad setting fails now, naming the field
  if ((given.width ?? 0) > maxWidth || (given.depth ?? 0) > maxDepth) {
    throw new TpoConfigError(
      `createTpoTool: settings width ${given.width ?? "-"} and depth ${given.depth ?? "-"} must be at most ` +
        `maxWidth ${maxWidth} and maxDepth ${maxDepth}.`,
    );
  }
  // A width or depth left to the schema's default comes down to a lower cap.
  const schemaDefaults = parseTpoContext({});
  const settings: TpoContextInput = {
    ...given,
    width: given.width ?? Math.min(schemaDefaults.width, maxWidth),
    depth: given.depth ?? Math.min(schemaDefaults.depth, maxDepth),
  };
  const defaults = parseTpoContext(settings);
  const graph = "graph" in options ? options.graph : createTpoGraph(options);
  const schema = z.object({
    query: z.string().min(1).describe("The question or task to answer, with what the answer needs."),
    width: z
      .number()
      .int()
      .min(1)
      .max(maxWidth)
      .optional()
      .describe(`Answers sampled and rewritten per round (default ${defaults.width}); more costs more.`),
    depth: z
      .number()
      .int()
      .min(0)
      .max(maxDepth)
      .optional()
      .describe(`Rounds of critique and rewrite (default ${defaults.depth}); 0 is best-of-N.`),
  });
  return tool(
    async ({ query, width, depth }, config): Promise<[string, TpoToolArtifact]> => {
      const context = parseTpoContext({
        ...settings,
        ...(width === undefined ? {} : { width }),
        ...(depth === undefined ? {} : { depth }),
      });
      const callbacks = isolatedCallbacks(config.callbacks);
      const started = performance.now();
      const { state } = await runIsolated(callbacks, () =>
        runTpoToEnd(graph, { query }, { context, signal: config.signal, callbacks, tags: [NO_STREAM_TAG] }),
      ).catch((error: unknown) => {
        if (config.signal?.aborted) throw error;
        // The agent (and its model) read the error: one line, no address; the whole error is its cause.
        throw new TpoError(failureLine(error), { cause: error });
      });
      const summary = summarizeRun(state, context, performance.now() - started);
      return [summary.answer, summary];
    },
    {
      name: options.name ?? "tpo_optimize",
      description: options.description ?? tpoToolDescription(defaults.width, defaults.depth),
      schema,
      responseFormat: "content_and_artifact",
    },
  );
}
