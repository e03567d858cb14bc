import type { BaseMessage } from "@langchain/core/messages";
import { z } from "zod";
import { messagesFromTurns } from "../messages/conversation.js";
import { TpoContextSchema, type TpoContext, type TpoContextInput } from "../settings/run-settings.js";
import { TpoSettingsError } from "../errors.js";
import { refusePromptsInConversation } from "../settings/prompt-fields.js";
import { ApiError } from "./http-io.js";
import { TPO_PROGRESS_MODES, type TpoProgressMode } from "../adapters/progress-reasoning.js";
import type { RequestSettingsSchema } from "./limits.js";
import { refuseUnsupported } from "./unsupported.js";

const TextPart = z.object({ type: z.literal("text"), text: z.string() });
const Content = z.union([z.string(), z.array(TextPart)], {
  error: "content must be a string or an array of text parts ({ type: 'text', text }); TPO answers text only",
});

const Message = z.discriminatedUnion(
  "role",
  [
    z.object({ role: z.enum(["system", "developer"]), content: Content, name: z.string().optional() }),
    z.object({ role: z.literal("user"), content: Content, name: z.string().optional() }),
    z.object({
      role: z.literal("assistant"),
      content: Content.nullish(),
      name: z.string().optional(),
      tool_calls: z.array(z.unknown()).max(0, "TPO does not take tool calls in the conversation").optional(),
    }),
  ],
  { error: "role must be one of system, developer, user, assistant (TPO takes no tool messages)" },
);

const ChatCompletionRequest = z.object({
  model: z.string().min(1).optional(),
  messages: z
    .array(Message)
    .min(1, "messages must hold at least one message")
    .refine((messages) => messages.at(-1)?.role === "user", {
      message: "the last message must be the user's turn that TPO answers",
    }),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  n: z.literal(1, "TPO returns one answer per request: n must be 1").nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  max_tokens: z.number().nullish(),
  max_completion_tokens: z.number().nullish(),
  seed: z.number().nullish(),
  stop: z.union([z.string(), z.array(z.string())], "stop must be a string or an array of strings").nullish(),
  tools: z.array(z.unknown()).max(0, "TPO optimises text answers and takes no tools").nullish(),
  tpo: z.record(z.string(), z.unknown(), "tpo must be an object such as { width, depth, mode }").nullish(),
});

export type ChatCompletionBody = z.output<typeof ChatCompletionRequest>;

export interface TpoRequest {
  model: string | undefined;
  messages: BaseMessage[];
  stream: boolean;
  includeUsage: boolean;
  settings: TpoContext;
  /** `tpo.progress` of the request; undefined when it sent none, and the server's default applies. */
  progress: RequestProgress | undefined;
}

/** `messages[0].content` for the path ["messages", 0, "content"]. */
function paramOf(path: PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
}

function invalid(error: z.ZodError, prefix: PropertyKey[] = []): ApiError {
  const issue = error.issues[0];
  const param = paramOf([...prefix, ...issue.path]);
  return new ApiError(
    400,
    param ? `Invalid value for '${param}': ${issue.message}.` : `Invalid request: ${issue.message}.`,
    "invalid_request_error",
    param,
    "invalid_value",
  );
}

/** OpenAI's sampling fields, as TPO settings; the `tpo` object overrides them. */
function samplingSettings(body: ChatCompletionBody): TpoContextInput {
  const settings: TpoContextInput = {};
  if (body.temperature != null) settings.temperature = body.temperature;
  if (body.top_p != null) settings.topP = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) settings.maxTokens = maxTokens;
  if (body.seed != null) settings.seed = body.seed;
  // The answer is a sample or a rewrite: the stop strings go to generate and update.
  if (body.stop != null) settings.stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  return settings;
}

/** Unknown keys in `tpo` are refused, so that a misspelt setting is not silently ignored. */
const StrictSettings = TpoContextSchema.strict();

const OPENAI_FIELDS: Record<string, string> = {
  temperature: "temperature",
  topP: "top_p",
  maxTokens: "max_tokens",
  seed: "seed",
  stop: "stop",
};

/** Names the field as the client sent it: `tpo.width`, or `top_p` for an OpenAI sampling field. */
function settingsError(error: z.ZodError, body: ChatCompletionBody): ApiError {
  const issue = error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    return new ApiError(
      400,
      `Unknown TPO setting 'tpo.${key}': the settings are ${[...Object.keys(TpoContextSchema.shape), "progress"].join(", ")}.`,
      "invalid_request_error",
      `tpo.${key}`,
      "invalid_value",
    );
  }
  const key = String(issue.path[0]);
  const fromTpo = body.tpo != null && key in body.tpo;
  if (!fromTpo && key in OPENAI_FIELDS) {
    const field =
      key === "maxTokens" && body.max_completion_tokens != null
        ? "max_completion_tokens"
        : OPENAI_FIELDS[key];
    return invalid(new z.ZodError([{ ...issue, path: [] }]), [field]);
  }
  return invalid(error, ["tpo"]);
}

/** Prompt settings with the conversation layout, which has no use for them: a 400 naming the prompt. */
function refusePrompts(settings: TpoContext): void {
  try {
    refusePromptsInConversation(settings);
  } catch (error) {
    if (!(error instanceof TpoSettingsError)) throw error;
    throw new ApiError(400, error.message, "invalid_request_error", `tpo.${error.field}`, "invalid_value");
  }
}

/**
 * How a request's answer shows the run's progress: a server-wide mode, or "events" (a streamed
 * request only): the run's events as SSE events named `tpo`, which the playground page draws.
 */
export type RequestProgress = TpoProgressMode | "events";

const REQUEST_PROGRESS: readonly RequestProgress[] = [...TPO_PROGRESS_MODES, "events"];

/** `tpo.progress`: how a streamed answer shows the run's progress. */
function progressOf(value: unknown, stream: boolean): RequestProgress | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === "events" && !stream) {
    throw new ApiError(
      400,
      "Invalid value for 'tpo.progress': \"events\" streams the run's events, so it needs stream: true.",
      "invalid_request_error",
      "tpo.progress",
      "invalid_value",
    );
  }
  if (REQUEST_PROGRESS.includes(value as RequestProgress)) return value as RequestProgress;
  throw new ApiError(
    400,
    `Invalid value for 'tpo.progress': expected "off", "reasoning" or "events", got ${JSON.stringify(value)}.`,
    "invalid_request_error",
    "tpo.progress",
    "invalid_value",
  );
}

/**
 * Validates a chat completion request and turns it into a TPO run; a bad field is a 400 naming it.
 * `settingsSchema` checks the run settings (default: the schema, unknown keys refused).
 */
export function parseChatCompletionRequest(
  json: unknown,
  defaults: TpoContextInput = {},
  settingsSchema: RequestSettingsSchema = StrictSettings,
): TpoRequest {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ApiError(
      400,
      "The request body must be a JSON object.",
      "invalid_request_error",
      null,
      "invalid_value",
    );
  }
  refuseUnsupported(json as Record<string, unknown>);
  const parsed = ChatCompletionRequest.safeParse(json);
  if (!parsed.success) throw invalid(parsed.error);
  const body = parsed.data;
  const sampling = samplingSettings(body);
  const { progress, ...tpo } = body.tpo ?? {};
  const requested = { ...sampling, ...tpo };
  const checked = settingsSchema.safeParse({ ...defaults, ...requested });
  if (!checked.success) throw settingsError(checked.error, body);
  refusePrompts(checked.data);
  return {
    model: body.model,
    messages: messagesFromTurns(body.messages.map((m) => ({ role: m.role, content: m.content ?? "" }))),
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    settings: checked.data,
    progress: progressOf(progress, body.stream === true),
  };
}
