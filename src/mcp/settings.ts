import { z } from "zod";
import { TpoInputError, TpoSettingsError } from "../errors.js";
import { messagesFromTurns } from "../messages/conversation.js";
import { CAPPED_SETTINGS, overCapLine, settingsOverCaps, type RunCaps } from "../settings/caps.js";
import type { TpoRunInput } from "../run/index.js";
import {
  parseTpoContext,
  TpoContextSchema,
  type TpoContext,
  type TpoContextInput,
} from "../settings/run-settings.js";

/** What one tool call may spend, set by the operator (`tpo mcp --max-width …`): an agent cannot raise them. */
export type McpCaps = RunCaps;

/** The run settings an agent may set per call: the ones that trade quality for cost, and the stopping rules. */
export const AGENT_SETTINGS = [
  "width",
  "depth",
  "mode",
  "temperature",
  "maxTokens",
  "seed",
  "targetScore",
  "patience",
  "budgetTokens",
  "budgetRequests",
  "budgetUsd",
  "systemPrompt",
] as const satisfies readonly (keyof TpoContext)[];

type Field = (typeof AGENT_SETTINGS)[number];

/** A run-setting field of the graph's schema, optional, with its description; capped ones at most their cap. */
function settingField(name: Field, caps: McpCaps): z.ZodType {
  const field = TpoContextSchema.shape[name] as z.ZodType & { unwrap?: () => z.ZodType };
  const description = field.description ?? "";
  let inner = typeof field.unwrap === "function" ? field.unwrap() : field;
  const cap = CAPPED_SETTINGS.find(([f]) => f === name);
  if (cap) {
    const [, key, flag] = cap;
    inner = (inner as z.ZodNumber).max(caps[key], {
      error: `at most ${caps[key]} on this server (tpo mcp ${flag})`,
    });
  }
  return inner.optional().describe(description);
}

/** The arguments of `tpo_optimize`: a query or a conversation, and the run settings an agent may set. */
export function toolInputSchema(caps: McpCaps) {
  const settings = Object.fromEntries(AGENT_SETTINGS.map((name) => [name, settingField(name, caps)]));
  return z
    .object({
      query: z
        .string()
        .optional()
        .describe("The question or task to answer, as the user put it. Give this or messages."),
      messages: z
        .array(
          z
            .object({ role: z.enum(["system", "user", "assistant"]), content: z.string() })
            .strict()
            .describe("One turn of the conversation."),
        )
        .optional()
        .describe("The conversation to answer, ending with the user's turn; instead of query."),
      ...settings,
    })
    .strict();
}

/** A tool call, checked: what to run and with which settings. */
export interface ToolCall {
  input: TpoRunInput;
  context: TpoContext;
}

/** A zod issue as one line naming the argument. */
function issueLine(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const names = issue.keys.map((k) => `"${k}"`).join(", ");
    return `Unknown argument ${names}: tpo_optimize takes query or messages, and ${AGENT_SETTINGS.join(", ")}.`;
  }
  const path = issue.path.map(String).join(".");
  return `Invalid argument "${path || "arguments"}": ${issue.message}.`;
}

/**
 * The arguments of a call, checked by the tool's schema (types, caps) and then, merged over the
 * operator's defaults, by the graph's own run-settings schema. Throws a TpoSettingsError or a
 * TpoInputError whose message is one line naming the argument.
 */
export function parseToolArguments(args: unknown, caps: McpCaps, defaults: TpoContextInput = {}): ToolCall {
  // The caps first, on the agent's own values: width 100 is told this server's cap, not the schema's maximum.
  const [over] = typeof args === "object" && args !== null ? settingsOverCaps(args, caps) : [];
  if (over)
    throw new TpoSettingsError(over.field, `Invalid argument "${over.field}": ${overCapLine(over, "mcp")}.`);
  const parsed = toolInputSchema(caps).safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TpoSettingsError(issue.path.map(String).join(".") || "arguments", issueLine(issue));
  }
  const { query, messages, ...settings } = parsed.data as Record<string, unknown> & {
    query?: string;
    messages?: { role: string; content: string }[];
  };
  const given = [query !== undefined, messages !== undefined].filter(Boolean).length;
  if (given !== 1) {
    throw new TpoInputError(
      given === 0
        ? 'No query: give "query" (the question to answer) or "messages" (a conversation ending with the user\'s turn).'
        : 'Give either "query" or "messages", not both.',
    );
  }
  if (query !== undefined && !query.trim()) throw new TpoInputError('The "query" is empty.');
  const input: TpoRunInput =
    query !== undefined ? { query: query.trim() } : { messages: messagesFromTurns(messages) };
  const context = parseTpoContext({ ...defaults, ...settings });
  return { input, context };
}
