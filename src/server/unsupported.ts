import { ApiError } from "./http-io.js";

/** What a value "asks for nothing" looks like, for fields that clients send with a neutral value. */
const neutral = (value: unknown) =>
  value === null || value === undefined || value === false || (Array.isArray(value) && value.length === 0);

/**
 * Fields of OpenAI's chat completions that TPO cannot honour, and why. A request that asks for one
 * is refused, rather than answered as if it had not: a client that asked for JSON or a tool call
 * would otherwise get free text and not know.
 */
const UNSUPPORTED: Record<string, { asks: (value: unknown) => boolean; why: string }> = {
  functions: { asks: (v) => !neutral(v), why: "TPO optimises text answers and calls no functions" },
  function_call: {
    asks: (v) => !neutral(v) && v !== "none",
    why: "TPO optimises text answers and calls no functions",
  },
  tool_choice: {
    asks: (v) => !neutral(v) && v !== "none",
    why: "TPO optimises text answers and calls no tools",
  },
  response_format: {
    asks: (v) => !neutral(v) && (v as { type?: unknown }).type !== "text",
    why: "TPO's answer is the text a reward model preferred, which no format constrains",
  },
  logprobs: {
    asks: (v) => !neutral(v),
    why: "TPO's answer is chosen among many samples, with no log probabilities",
  },
  top_logprobs: {
    asks: (v) => !neutral(v) && v !== 0,
    why: "TPO's answer is chosen among many samples, with no log probabilities",
  },
  audio: { asks: (v) => !neutral(v), why: "TPO answers text only" },
  modalities: {
    asks: (v) => !neutral(v) && !(Array.isArray(v) && v.every((m) => m === "text")),
    why: "TPO answers text only",
  },
};

/** Refuses a request that asks for something TPO does not do, with a 400 naming the field. */
export function refuseUnsupported(body: Record<string, unknown>): void {
  for (const [field, { asks, why }] of Object.entries(UNSUPPORTED)) {
    if (field in body && asks(body[field])) {
      throw new ApiError(
        400,
        `'${field}' is not supported: ${why}. Leave it out of the request.`,
        "invalid_request_error",
        field,
        "unsupported_parameter",
      );
    }
  }
}
