import { z } from "zod";
import { tpoToolDescription } from "../adapters/tool-description.js";
import { parseTpoContext, type TpoContextInput } from "../settings/run-settings.js";
import { toolInputSchema, type McpCaps } from "./settings.js";

export const TPO_OPTIMIZE = "tpo_optimize";

/** What a call returns as structured content: the run summary (adapters/run-summary.ts). */
const outputSchema = z.object({
  answer: z.string().describe("The optimised answer (also the call's text content)."),
  score: z.number().describe("The reward model's score of the answer."),
  iteration: z.number().int().describe("The iteration the answer came from: 0 for a first sample."),
  iterations: z.number().int().describe("Iterations run after the first sampling."),
  stopReason: z
    .enum(["depth", "target", "patience", "budget", "cost"])
    .nullable()
    .describe("Why no further iteration started."),
  stoppedAt: z.number().int().nullable().describe("The iteration the run stopped at."),
  firstSampleScore: z
    .number()
    .nullable()
    .describe("The score of the policy's first sample: what one answer without TPO scored."),
  settings: z.object({
    width: z.number().int(),
    depth: z.number().int(),
    mode: z.enum(["tpo", "revision", "bon"]),
  }),
  cost: z
    .object({
      modelRequests: z.number().int(),
      rewardRequests: z.number().int(),
      promptTokens: z.number().int(),
      completionTokens: z.number().int(),
      cachedPromptTokens: z.number().int(),
      costUsd: z
        .number()
        .optional()
        .describe("What the run cost in US dollars at the server's prices; absent when it has none."),
      elapsedMs: z.number().int(),
    })
    .describe(
      "What the call cost: requests to the model and reward servers, tokens, money when priced, time.",
    ),
});

/** A JSON Schema of a zod schema, as MCP lists a tool's input and output (without the $schema line). */
function jsonSchema(schema: z.ZodType, io: "input" | "output") {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return rest as { type: "object"; [key: string]: unknown };
}

/**
 * What the tool tells an agent: what it does, what it costs at this server's defaults, when it is
 * worth that cost, and the caps.
 */
export function toolDescription(caps: McpCaps, defaults: TpoContextInput): string {
  const { width, depth } = parseTpoContext(defaults);
  return (
    `${tpoToolDescription(width, depth)} The answer comes with its score and the run's cost; targetScore, ` +
    "patience and budgetRequests stop a run early. " +
    `This server allows at most width ${caps.maxWidth}, depth ${caps.maxDepth}, maxTokens ${caps.maxTokens}.`
  );
}

/** The tool as tools/list shows it. */
export function toolDefinition(caps: McpCaps, defaults: TpoContextInput) {
  return {
    name: TPO_OPTIMIZE,
    title: "Optimise an answer with TPO",
    description: toolDescription(caps, defaults),
    inputSchema: jsonSchema(toolInputSchema(caps), "input"),
    outputSchema: jsonSchema(outputSchema, "output"),
    annotations: { readOnlyHint: true, openWorldHint: true, idempotentHint: false },
  };
}
