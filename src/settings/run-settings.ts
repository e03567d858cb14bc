import { z } from "zod";
import { TpoSettingsError } from "../errors.js";
import { promptContextFields, refusePromptsInConversation } from "./prompt-fields.js";
import { computeContextFields } from "./compute-fields.js";

/** The deepest run the schema accepts; the graph's recursion limit is derived from it. */
export const MAX_DEPTH = 100;

/** Stop strings one request may carry, and the longest one: vLLM and OpenAI take short lists. */
export const MAX_STOP_STRINGS = 16;
const MAX_STOP_LENGTH = 200;

function stopField(requests: string) {
  return z
    .array(z.string().min(1).max(MAX_STOP_LENGTH))
    .max(MAX_STOP_STRINGS)
    .optional()
    .describe(
      `Stop strings of the ${requests}: the server ends an output before the first one it writes. Unset: none (the server's own end of turn).`,
    );
}

/** Run settings: LangGraph `context`, shown as a form in LangGraph Studio. */
export const TpoContextSchema = z.object({
  width: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(5)
    .describe("Search width N: responses sampled at the start and written by each update."),
  depth: z
    .number()
    .int()
    .min(0)
    .max(MAX_DEPTH)
    .default(2)
    .describe("Search depth D: how many critique-gradient-update iterations to run. 0 is best-of-N."),
  mode: z
    .enum(["tpo", "revision", "bon"])
    .default("tpo")
    .describe(
      "tpo: critique the best response against the worst; revision: critique the best alone; bon: best-of-N, no iterations.",
    ),
  temperature: z.number().min(0).max(2).default(0.7).describe("Sampling temperature of generate and update."),
  topP: z.number().gt(0).max(1).default(0.95).describe("Nucleus sampling top_p of generate and update."),
  maxTokens: z
    .number()
    .int()
    .min(1)
    .default(2048)
    .describe("Maximum tokens of each sampled or updated response."),
  sampling: z
    .enum(["auto", "n", "parallel"])
    .default("auto")
    .describe(
      "How N samples are requested: n asks for all in one request, parallel sends one request each, auto uses n and tops up with parallel requests when the server returns fewer.",
    ),
  criticTemperature: z
    .number()
    .min(0)
    .max(2)
    .default(0.7)
    .describe("Temperature of the critique and gradient requests (the reference samples them at 0.7)."),
  criticTopP: z
    .number()
    .gt(0)
    .max(1)
    .default(0.99)
    .describe("Nucleus sampling top_p of the critique and gradient requests (the reference's 0.99)."),
  criticMaxTokens: z
    .number()
    .int()
    .min(1)
    .default(2048)
    .describe("Maximum tokens of a critique or a gradient."),
  untaggedRewrites: z
    .enum(["drop", "keep"])
    .default("drop")
    .describe(
      "An update output without the response tags: drop it (never scored, never the answer; counted as untagged), or keep it whole as a candidate, for models that ignore formats.",
    ),
  systemPrompt: z
    .string()
    .min(1)
    .optional()
    .describe(
      "System prompt shown to the policy when it samples (generate); never to the reward model, and to the critic only where a prompt override uses {systemPrompt}. Unset: none.",
    ),
  seed: z
    .number()
    .int()
    .optional()
    .describe("Sampling seed; how requests use it is the seedScheme's. Unset: the server's own randomness."),
  seedScheme: z
    .enum(["spread", "reference"])
    .default("spread")
    .describe(
      "spread: sample i of iteration k (0 = generate) uses seed + k·width + i, the critic's requests of iteration k seed + k·width; reference: as the reference implementation, every generate and update request the seed itself (sample i of parallel requests seed + i), the critic's requests none.",
    ),
  stop: stopField("generate and update requests (the policy's samples and the rewrites)"),
  criticStop: stopField("critique and gradient requests"),
  ...computeContextFields,
  ...promptContextFields,
});

export type TpoContext = z.output<typeof TpoContextSchema>;
export type TpoContextInput = z.input<typeof TpoContextSchema>;
export type TpoMode = TpoContext["mode"];

/**
 * Run settings are parsed once per run, where it starts, and handed to every step as that one
 * frozen object (what was checked is what runs). PARSED holds the objects this module produced;
 * RUN_SETTINGS the parse of each raw context a run started with (LangGraph hands the steps the
 * caller's raw object), made again by each run that starts with it, so a change between runs counts.
 */
const PARSED = new WeakSet<object>();
const RUN_SETTINGS = new WeakMap<object, TpoContext>();
let defaultSettings: TpoContext | undefined;

function parseFresh(context: unknown): TpoContext {
  const result = TpoContextSchema.safeParse(context ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.map(String).join(".") || "context";
    throw new TpoSettingsError(field, `Invalid TPO setting "${field}": ${issue.message}.`);
  }
  const settings = Object.freeze(refusePromptsInConversation(result.data));
  PARSED.add(settings);
  return settings;
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** Parses run settings and fills defaults; a bad value throws a TpoSettingsError naming its field. */
export function parseTpoContext(context: unknown): TpoContext {
  if (context === undefined || context === null) return (defaultSettings ??= parseFresh({}));
  if (isObject(context)) {
    if (PARSED.has(context)) return context as TpoContext;
    const settings = RUN_SETTINGS.get(context);
    if (settings) return settings;
  }
  return parseFresh(context);
}

/** Parses the settings a run starts with, for its steps to read without parsing again. */
export function parseRunSettings(context: unknown): TpoContext {
  if (isObject(context) && PARSED.has(context)) return context as TpoContext;
  const settings = parseFresh(context);
  if (isObject(context)) RUN_SETTINGS.set(context, settings);
  return settings;
}

/** The one way nodes read run settings: the run's parsed settings, parsed here only if nobody has. */
export function ensureContext(runtime: { context?: unknown } | undefined): TpoContext {
  return parseTpoContext(runtime?.context);
}
