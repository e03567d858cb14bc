import { applyChatTemplate, chatTurns, type ChatTemplateOption } from "./chat-template.js";
import { describeValue, type RewardItem } from "./reward-model.js";

export const HTTP_REWARD_KINDS = ["vllm-pooling", "vllm-classify", "tei", "sglang", "nim"] as const;
export type HttpRewardKind = (typeof HTTP_REWARD_KINDS)[number];

/** A response without the shape its kind promises; the message says what was expected. */
export class ResponseShapeError extends Error {}

/**
 * A well-formed answer with several labels per item where no label index was set, or an index
 * past the last label: a setting to fix, not a server fault.
 */
export class LabelChoiceError extends ResponseShapeError {
  constructor(
    /** Labels per item in the answer. */
    readonly labels: number,
    /** The configured label index, if any. */
    readonly index: number | undefined,
  ) {
    super(
      index === undefined
        ? `${labels} values per item (one per label) and no label index set`
        : `${labels} values per item, so label index ${index} is past the last (${labels - 1})`,
    );
  }
}

export interface KindSettings {
  model?: string;
  chatTemplate: ChatTemplateOption;
  nimDimension?: string;
  /** Which label is the reward when the server returns several per item. */
  labelIndex?: number;
}

export interface RewardKindSpec {
  /** Appended to the server URL. */
  path: string;
  /** Whether one request carries many responses (up to batchSize) or exactly one. */
  batched: boolean;
  /**
   * Set for the kinds that send a text rendered with a chat template (the others send chat turns
   * and the server applies the model's own template). `serverAddsBos`: the server's tokenizer
   * adds the begin-of-sequence token itself, so the client must not render the template's `bos`.
   */
  template?: { serverAddsBos: boolean };
  /** Whether an answer can carry several labels per item, of which `labelIndex` picks the reward. */
  labels?: boolean;
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

/**
 * The reward among one item's labels: a number (one label), or a list with one value per label,
 * of which `index` picks one; with several labels and no index, a LabelChoiceError.
 */
function labelValue(value: unknown, where: string, index: number | undefined): number {
  if (!Array.isArray(value)) {
    if (index !== undefined && index > 0) throw new LabelChoiceError(1, index);
    return finite(value, where);
  }
  if (value.length === 0) throw new ResponseShapeError(`${where} is an empty list`);
  if (index === undefined && value.length > 1) throw new LabelChoiceError(value.length, undefined);
  const chosen = index ?? 0;
  if (chosen >= value.length) throw new LabelChoiceError(value.length, chosen);
  return finite(value[chosen], `${where}[${chosen}]`);
}

/**
 * The reward in one item of vLLM's /pooling answer. vLLM types `data` as
 * `list[list[float]] | list[float] | str` (PoolingResponseData in
 * vllm/entrypoints/pooling/pooling/protocol.py): a sequence-level task (`classify`) gives one value
 * per label, e.g. 2 values for a two-label classifier (tests/entrypoints/pooling/classify/
 * test_online.py, test_pooling_classify); a token-level reward model (internlm2-1_8b-reward) gives
 * one row per token of one value per label, shape (tokens, 1) (tests/entrypoints/pooling/reward/
 * test_token_reward_online.py), whose last row scores the whole sequence. A plain number is taken
 * as it is.
 */
function pooledValue(value: unknown, where: string, index: number | undefined): number {
  if (Array.isArray(value) && value.length > 0 && value.every(Array.isArray)) {
    return labelValue(value[value.length - 1], `${where}[${value.length - 1}]`, index);
  }
  return labelValue(value, where, index);
}

/**
 * vLLM's chat form: the server applies the model's own chat template, BOS included, so
 * `add_special_tokens: false` keeps the tokenizer from adding a second one (vLLM's
 * tests/entrypoints/pooling/reward/test_token_reward_online.py counts one token more with it true).
 */
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

/** The texts of a templated kind; the template's `bos` only when the server does not add its own. */
function templated(items: RewardItem[], settings: KindSettings, serverAddsBos: boolean): string[] {
  return items.map((item) =>
    applyChatTemplate(settings.chatTemplate, chatTurns(item.messages, item.response), {
      bos: !serverAddsBos,
    }),
  );
}

/**
 * TEI tokenizes every /predict input with the tokenizer's special tokens: its `encode_input`
 * calls `tokenize_input(inputs, true, …)`, add_special_tokens hard-wired to true, and PredictRequest
 * has no field to turn it off (huggingface/text-embeddings-inference, core/src/tokenization.rs and
 * router/src/http/types.rs). So the server adds the BOS.
 */
const TEI_TEMPLATE = { serverAddsBos: true };

/**
 * SGLang tokenizes the `text` of /classify with `self.tokenizer(texts)` (or `tokenizer.encode`),
 * leaving add_special_tokens at its Hugging Face default, true (sgl-project/sglang,
 * python/sglang/srt/managers/tokenizer_manager.py, `_tokenize_texts`); a Llama-3 text rendered
 * with `<|begin_of_text|>` gets it twice (measured with SGLang 0.5.9: ids start [128000, 128000],
 * MakazhanAlpamys/Soup#890). So the server adds the BOS.
 */
const SGLANG_TEMPLATE = { serverAddsBos: true };

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
    labels: true,
    body: vllmChatBody,
    parse: (json, count, settings) =>
      vllmData(json, count).map((entry, i) =>
        pooledValue(entry.data, `data[${i}].data`, settings.labelIndex),
      ),
  },
  "vllm-classify": {
    path: "/classify",
    batched: false,
    labels: true,
    body: vllmChatBody,
    parse: (json, count, settings) =>
      vllmData(json, count).map((entry, i) =>
        labelValue(entry.probs, `data[${i}].probs`, settings.labelIndex),
      ),
  },
  tei: {
    path: "/predict",
    batched: true,
    template: TEI_TEMPLATE,
    // Each text in its own list: ["a", "b"] would be one text pair to TEI, not a batch of two.
    body: (items, settings) => ({
      inputs: templated(items, settings, TEI_TEMPLATE.serverAddsBos).map((text) => [text]),
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
    template: SGLANG_TEMPLATE,
    body: (items, settings) => ({
      model: settings.model,
      text: templated(items, settings, SGLANG_TEMPLATE.serverAddsBos),
    }),
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
