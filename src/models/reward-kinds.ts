import { applyChatTemplate, chatTurns, type ChatTemplateOption } from "./chat-template.js";
import { describeValue, type RewardItem } from "./reward.js";

export const HTTP_REWARD_KINDS = ["vllm-pooling", "vllm-classify", "tei", "sglang", "nim"] as const;
export type HttpRewardKind = (typeof HTTP_REWARD_KINDS)[number];

/** A response without the shape its kind promises; the message says what was expected. */
export class ResponseShapeError extends Error {}

export interface KindSettings {
  model?: string;
  chatTemplate: ChatTemplateOption;
  nimDimension?: string;
}

export interface RewardKindSpec {
  /** Appended to the server URL. */
  path: string;
  /** Whether one request carries many responses (up to batchSize) or exactly one. */
  batched: boolean;
  body(items: RewardItem[], settings: KindSettings): unknown;
  /** One score per item, in order; throws ResponseShapeError when the body is not as expected. */
  parse(json: unknown, count: number, settings: KindSettings): number[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function finite(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ResponseShapeError(`${where} should be a finite number, not ${describeValue(value)}`);
  }
  return value;
}

function listOf(value: unknown, count: number, what: string): unknown[] {
  if (!Array.isArray(value)) throw new ResponseShapeError(`expected ${what}`);
  if (value.length !== count) {
    throw new ResponseShapeError(
      `expected ${what} with ${count} entries (one per response), got ${value.length}`,
    );
  }
  return value;
}

/** A number, or the last value of a per-token list (possibly a list of lists): the final token's score. */
function lastValue(value: unknown, where: string): number {
  let current = value;
  while (Array.isArray(current)) {
    if (current.length === 0) throw new ResponseShapeError(`${where} is an empty list`);
    current = current[current.length - 1];
  }
  return finite(current, where);
}

/** A single label's score: a number or a list of one number. */
function singleLabel(value: unknown, where: string): number {
  if (Array.isArray(value)) {
    if (value.length !== 1) {
      throw new ResponseShapeError(
        `${where} has ${value.length} labels; a reward model has a single output label`,
      );
    }
    return finite(value[0], `${where}[0]`);
  }
  return finite(value, where);
}

function vllmChatBody(items: RewardItem[], settings: KindSettings) {
  const [item] = items;
  return {
    model: settings.model,
    messages: chatTurns(item.messages, item.response),
    add_generation_prompt: false,
    add_special_tokens: false,
    use_activation: false,
  };
}

function vllmData(json: unknown, count: number): Record<string, unknown>[] {
  const data = listOf(isRecord(json) ? json.data : undefined, count, 'an object with a "data" list');
  return data.map((entry, i) => {
    if (!isRecord(entry)) throw new ResponseShapeError(`data[${i}] should be an object`);
    return entry;
  });
}

function templated(items: RewardItem[], settings: KindSettings): string[] {
  return items.map((item) =>
    applyChatTemplate(settings.chatTemplate, chatTurns(item.messages, item.response)),
  );
}

/** `name:value` pairs separated by commas, as NIM reward models write them. */
export function parseNimScores(content: string): Map<string, number> {
  const scores = new Map<string, number>();
  for (const pair of content.split(",")) {
    if (!pair.trim()) continue;
    const colon = pair.lastIndexOf(":");
    const value = colon > 0 ? Number(pair.slice(colon + 1).trim()) : NaN;
    if (colon <= 0 || pair.slice(colon + 1).trim() === "" || !Number.isFinite(value)) {
      throw new ResponseShapeError(`"${pair.trim()}" is not a name:value pair with a numeric value`);
    }
    scores.set(pair.slice(0, colon).trim().toLowerCase(), value);
  }
  if (scores.size === 0) throw new ResponseShapeError("the message content has no name:value pairs");
  return scores;
}

export const REWARD_KINDS: Record<HttpRewardKind, RewardKindSpec> = {
  "vllm-pooling": {
    path: "/pooling",
    batched: false,
    body: vllmChatBody,
    parse: (json, count) => vllmData(json, count).map((entry, i) => lastValue(entry.data, `data[${i}].data`)),
  },
  "vllm-classify": {
    path: "/classify",
    batched: false,
    body: vllmChatBody,
    parse: (json, count) =>
      vllmData(json, count).map((entry, i) => singleLabel(entry.probs, `data[${i}].probs`)),
  },
  tei: {
    path: "/predict",
    batched: true,
    // Each text in its own list: ["a", "b"] would be one text pair to TEI, not a batch of two.
    body: (items, settings) => ({
      inputs: templated(items, settings).map((text) => [text]),
      raw_scores: true,
      truncate: true,
    }),
    parse: (json, count) =>
      listOf(json, count, "a list of prediction lists").map((predictions, i) => {
        const list = listOf(predictions, 1, `entry ${i} to be a list of one {score, label}`);
        return finite(isRecord(list[0]) ? list[0].score : undefined, `[${i}][0].score`);
      }),
  },
  sglang: {
    path: "/classify",
    batched: true,
    body: (items, settings) => ({ model: settings.model, text: templated(items, settings) }),
    parse: (json, count) =>
      listOf(json, count, "a list of {embedding} objects").map((entry, i) => {
        const embedding = isRecord(entry) ? entry.embedding : undefined;
        if (!Array.isArray(embedding) || embedding.length === 0) {
          throw new ResponseShapeError(`[${i}].embedding should be a non-empty list of numbers`);
        }
        return finite(embedding[0], `[${i}].embedding[0]`);
      }),
  },
  nim: {
    path: "/v1/chat/completions",
    batched: false,
    // NIM reward models score user and assistant turns; a system turn is not part of what they rate.
    body: ([item], settings) => ({
      model: settings.model,
      messages: chatTurns(item.messages, item.response).filter((turn) => turn.role !== "system"),
    }),
    parse: (json, _count, settings) => {
      const choices = isRecord(json) ? json.choices : undefined;
      const message = Array.isArray(choices) && isRecord(choices[0]) ? choices[0].message : undefined;
      const content = isRecord(message) ? message.content : undefined;
      if (typeof content !== "string") {
        throw new ResponseShapeError(
          "expected choices[0].message.content to be a string of name:value pairs",
        );
      }
      const scores = parseNimScores(content);
      const wanted = settings.nimDimension?.toLowerCase() ?? scores.keys().next().value!;
      const score = scores.get(wanted);
      if (score === undefined) {
        throw new ResponseShapeError(
          `the scores have no dimension "${wanted}" (they have ${[...scores.keys()].join(", ")}); ` +
            `set nimDimension to one of them`,
        );
      }
      return [score];
    },
  },
};
