/**
 * The endpoints of the simulated HTTP server as plain functions from a parsed request body to a
 * response: OpenAI chat completions, the vLLM pooling and classify forms, SGLang's classify, TEI's
 * predict and NVIDIA NIM's reward chat. Texts and scores come from the same functions as the
 * in-process SimChatModel and SimRewardModel, so HTTP and in-process runs agree.
 */
import { SimChatModel } from "./chat-model.js";
import { lastOfRole, parseTemplated, SIM_BOS, type WireMessage } from "./chat-template-parser.js";
import { simLeaderboardJudge, simLogprobs, simStructuredAnswer, type SimJudgeReply } from "./judge.js";
import { contentText, messagesFromTurns } from "../messages/conversation.js";
import type { SimPrefixCache } from "./prefix-cache.js";
import { simReward, wordCount } from "./world.js";

export interface HandlerResult {
  status: number;
  body: unknown;
  /** Output tokens, for the per-token latency. */
  outputTokens?: number;
  /** Server-sent events instead of one JSON body. */
  events?: unknown[];
}

export interface HandlerContext {
  /** Seed of the reward noise and of unseeded chat requests. */
  seed: number;
  /** Seed of the next chat request that carries none (a counter, so that repeated requests differ). */
  nextUnseeded(): number;
  /** Answer with one choice whatever `n` asks (as Ollama does). */
  ignoreN: boolean;
  /** Answer with no choices at all. */
  emptyChoices: boolean;
  /** Answer every choice with this text instead of the simulated world's. */
  reply?: string;
  /** /pooling returns one row per token (the last row scoring the sequence), rather than one item value. */
  poolingPerToken: boolean;
  /**
   * Values per item (or per token row) of vLLM's /pooling and /classify: label 0 is the reward,
   * label i > 0 a distractor, -i·score, so that reading the wrong label shows.
   */
  labels: number;
  /** The server's prefix cache: chat completions report cached prompt tokens. Unset: none reported. */
  prefixCache?: SimPrefixCache;
  /** Answers (first samples and rewrites) of about this many characters. Unset: short answers. */
  answerChars?: number;
  /** Answer `logprobs: null` whatever the request asks, as a server without log-probabilities. */
  noLogprobs?: boolean;
}

type Body = Record<string, unknown>;

export function openAIError(status: number, message: string, param: string | null = null): HandlerResult {
  return { status, body: { error: { message, type: "invalid_request_error", param, code: null } } };
}

function isMessages(value: unknown): value is WireMessage[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((m) => m && typeof m === "object" && typeof (m as WireMessage).role === "string")
  );
}

/** A number field: undefined when absent, an error message when out of range. */
function numberField(
  body: Body,
  name: string,
  check: (v: number) => boolean,
  rule: string,
): number | undefined | string {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !check(value))
    return `"${name}" must be ${rule}, got ${JSON.stringify(value)}`;
  return value;
}

/** OpenAI's `stop`: a string or a list of them; null when it is neither. */
function stopField(value: unknown): string[] | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return [value];
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : null;
}

function created(): number {
  return Math.floor(Date.now() / 1000);
}

function promptTokensOf(messages: WireMessage[]): number {
  return wordCount(messages.map((m) => contentText(m.content)).join(" "));
}

export function handleModels(models: string[]): HandlerResult {
  return {
    status: 200,
    body: {
      object: "list",
      data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "tpo-sim" })),
    },
  };
}

export function handleChat(body: Body, ctx: HandlerContext): HandlerResult {
  if (!isMessages(body.messages)) {
    return openAIError(400, '"messages" must be a non-empty array of {role, content}', "messages");
  }
  const messages = body.messages;
  const model = typeof body.model === "string" ? body.model : "tpo-sim";
  if (model.toLowerCase().includes("reward")) return nimReward(model, messages, ctx);
  if (asksForStructuredOutput(body)) return judgeChat(body, model, messages, ctx);
  const fields = {
    n: numberField(body, "n", (v) => Number.isInteger(v) && v >= 1 && v <= 128, "an integer from 1 to 128"),
    temperature: numberField(body, "temperature", (v) => v >= 0 && v <= 2, "between 0 and 2"),
    top_p: numberField(body, "top_p", (v) => v > 0 && v <= 1, "in (0, 1]"),
    max_tokens: numberField(body, "max_tokens", (v) => Number.isInteger(v) && v >= 1, "a positive integer"),
    max_completion_tokens: numberField(
      body,
      "max_completion_tokens",
      (v) => Number.isInteger(v) && v >= 1,
      "a positive integer",
    ),
    seed: numberField(body, "seed", Number.isInteger, "an integer"),
  };
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === "string") return openAIError(400, value, name);
  }
  const stop = stopField(body.stop);
  if (stop === null) return openAIError(400, '"stop" must be a string or an array of strings', "stop");
  const n = (fields.n as number | undefined) ?? 1;
  const maxTokens = (fields.max_tokens ?? fields.max_completion_tokens) as number | undefined;
  const seed = (fields.seed as number | undefined) ?? ctx.nextUnseeded();
  // Temperature and top_p are validated but do not change the texts: the in-process SimChatModel
  // ignores them too, and HTTP and in-process runs must give the same texts.
  let conversation;
  try {
    conversation = messagesFromTurns(messages);
  } catch (error) {
    return openAIError(400, (error as Error).message, "messages");
  }
  const prompt = SimChatModel.promptOf(conversation);
  if (ctx.reply === undefined) {
    const judged = simLeaderboardJudge(prompt, ctx.seed);
    if (judged) return leaderboardJudgeChat(body, model, messages, judged, ctx);
  }
  const count = ctx.emptyChoices ? 0 : ctx.ignoreN ? 1 : n;
  const choices = Array.from({ length: count }, (_, index) => {
    const full = ctx.reply ?? SimChatModel.respond(prompt, seed, index, undefined, ctx.answerChars, stop);
    const content = ctx.reply ?? SimChatModel.respond(prompt, seed, index, maxTokens, ctx.answerChars, stop);
    return {
      index,
      message: { role: "assistant", content },
      finish_reason: content === full ? "stop" : "length",
      logprobs: null,
    };
  });
  const promptTokens = promptTokensOf(messages);
  const completionTokens = choices.reduce((sum, c) => sum + wordCount(c.message.content), 0);
  const cached = ctx.prefixCache?.lookup(
    messages.map((m) => ({ role: m.role, text: contentText(m.content) })),
  );
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    ...(cached === undefined ? {} : { prompt_tokens_details: { cached_tokens: cached } }),
  };
  const id = `chatcmpl-sim-${seed}`;
  const result = { id, object: "chat.completion", created: created(), model, choices, usage };
  if (body.stream === true) {
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage;
    return {
      status: 200,
      body: null,
      outputTokens: completionTokens,
      events: streamEvents(result, includeUsage),
    };
  }
  return { status: 200, body: result, outputTokens: completionTokens };
}

/** A request for structured output (tools or a JSON schema): in the simulated world, an LLM judge's. */
function asksForStructuredOutput(body: Body): boolean {
  const format = (body.response_format as { type?: string } | undefined)?.type;
  return (
    (Array.isArray(body.tools) && body.tools.length > 0) ||
    format === "json_schema" ||
    format === "json_object"
  );
}

/**
 * Answers an LLM judge with a verdict that follows the simulated reward: the pointwise judge
 * (`createJudgeRewardModel`) and the pairwise one (`tpo compare`). As a call of the first tool
 * when tools are offered, else as JSON content; a `reply` fault's text stands in for the verdict.
 */
function judgeChat(body: Body, model: string, messages: WireMessage[], ctx: HandlerContext): HandlerResult {
  const verdict = simStructuredAnswer(messages.map((m) => contentText(m.content)).join("\n\n"), ctx.seed);
  if (!verdict) {
    return openAIError(
      400,
      "the simulated world answers structured output only for judge prompts " +
        "(<query> and <response>, or <query>, <response_a> and <response_b>)",
    );
  }
  const args = ctx.reply ?? JSON.stringify(verdict);
  const tool = (body.tools as { function?: { name?: string } }[] | undefined)?.[0]?.function?.name;
  const message = tool
    ? {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_sim_judge", type: "function", function: { name: tool, arguments: args } }],
      }
    : { role: "assistant", content: args };
  const promptTokens = promptTokensOf(messages);
  const completionTokens = wordCount(args);
  return {
    status: 200,
    body: {
      id: "chatcmpl-sim-judge",
      object: "chat.completion",
      created: created(),
      model,
      choices: [{ index: 0, message, finish_reason: tool ? "tool_calls" : "stop", logprobs: null }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    },
    outputTokens: completionTokens,
  };
}

/**
 * Answers a leaderboard judge (`tpo eval alpaca-eval`, `tpo eval arena-hard`): a verdict, or a
 * label with its top log-probabilities when the request asks for them (`logprobs: true`,
 * `top_logprobs`), as OpenAI and vLLM return them.
 */
function leaderboardJudgeChat(
  body: Body,
  model: string,
  messages: WireMessage[],
  reply: SimJudgeReply,
  ctx: HandlerContext,
): HandlerResult {
  const top = numberField(
    body,
    "top_logprobs",
    (v) => Number.isInteger(v) && v >= 0 && v <= 20,
    "an integer from 0 to 20",
  );
  if (typeof top === "string") return openAIError(400, top, "top_logprobs");
  const logprobs =
    body.logprobs === true && !ctx.noLogprobs && reply.topLogprobs ? simLogprobs(reply, top ?? 0) : null;
  const promptTokens = promptTokensOf(messages);
  const completionTokens = wordCount(reply.text);
  return {
    status: 200,
    body: {
      id: "chatcmpl-sim-leaderboard-judge",
      object: "chat.completion",
      created: created(),
      model,
      choices: [
        { index: 0, message: { role: "assistant", content: reply.text }, finish_reason: "stop", logprobs },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    },
    outputTokens: completionTokens,
  };
}

/** The chunks of a streamed completion: each choice's text in one delta, then its finish reason. */
function streamEvents(
  result: {
    id: string;
    created: number;
    model: string;
    choices: { index: number; message: { content: string }; finish_reason: string }[];
    usage: unknown;
  },
  includeUsage: boolean | undefined,
): unknown[] {
  const chunk = (choices: unknown[], extra: object = {}) => ({
    id: result.id,
    object: "chat.completion.chunk",
    created: result.created,
    model: result.model,
    choices,
    ...extra,
  });
  const events: unknown[] = [];
  for (const c of result.choices) {
    events.push(
      chunk([
        { index: c.index, delta: { role: "assistant", content: c.message.content }, finish_reason: null },
      ]),
    );
    events.push(chunk([{ index: c.index, delta: {}, finish_reason: c.finish_reason }]));
  }
  if (includeUsage) events.push(chunk([], { usage: result.usage }));
  return events;
}

/** NVIDIA NIM reward models answer a [user, assistant] chat with "name:value" pairs. */
function nimReward(model: string, messages: WireMessage[], ctx: HandlerContext): HandlerResult {
  if (messages[messages.length - 1].role !== "assistant") {
    return openAIError(
      400,
      "a reward model scores the last assistant message: end the messages with it",
      "messages",
    );
  }
  const response = lastOfRole(messages, "assistant");
  const score = simReward(lastOfRole(messages, "user"), response, ctx.seed);
  const dims = {
    helpfulness: score,
    correctness: score * 0.8,
    coherence: 3 + score / 10,
    complexity: 1,
    verbosity: Math.min(4, wordCount(response) / 50),
  };
  const content = Object.entries(dims)
    .map(([name, value]) => `${name}:${value}`)
    .join(",");
  const promptTokens = promptTokensOf(messages);
  return {
    status: 200,
    body: {
      id: "chatcmpl-sim-reward",
      object: "chat.completion",
      created: created(),
      model,
      choices: ctx.emptyChoices
        ? []
        : [{ index: 0, message: { role: "assistant", content }, finish_reason: "length", logprobs: null }],
      usage: { prompt_tokens: promptTokens, completion_tokens: 1, total_tokens: promptTokens + 1 },
    },
    outputTokens: 1,
  };
}

interface Scored {
  score: number;
  tokens: number;
}

function scoreMessages(messages: WireMessage[], seed: number): Scored {
  return {
    score: simReward(lastOfRole(messages, "user"), lastOfRole(messages, "assistant"), seed),
    tokens: promptTokensOf(messages),
  };
}

/** Scores a templated conversation (Llama-3, ChatML or Tülu); null when it has no assistant turn. */
function scoreTemplated(text: string, seed: number): Scored | null {
  const messages = parseTemplated(text);
  if (!messages.some((m) => m.role === "assistant")) return null;
  return scoreMessages(messages, seed);
}

const NOT_TEMPLATED =
  "is not a templated conversation with an assistant turn (Llama-3: " +
  "<|start_header_id|>assistant<|end_header_id|>\\n\\n…<|eot_id|>; ChatML; or Tülu)";

/**
 * Why a text sent to the simulated TEI or SGLang would be scored wrong, or null. Those servers
 * tokenize with the tokenizer's special tokens, so they add the begin-of-text token themselves: a
 * text that starts with it would reach the model with two. The real servers score such a text
 * without a word (and with a shifted score); the simulated ones refuse it, so the mistake shows.
 */
function doubleBos(text: string): string | null {
  return text.startsWith(SIM_BOS)
    ? `starts with ${SIM_BOS}, which this server's tokenizer adds itself: the model would see it ` +
        `twice (a double BOS); send the text without it`
    : null;
}

/** vLLM's chat form ({ messages }) or its input form ({ input: text | texts }). */
function scoreVllmRequest(body: Body, seed: number): Scored[] | HandlerResult {
  if (isMessages(body.messages)) {
    if (body.messages[body.messages.length - 1].role !== "assistant") {
      return openAIError(400, "the last message must be the assistant response to score", "messages");
    }
    return [scoreMessages(body.messages, seed)];
  }
  const inputs = typeof body.input === "string" ? [body.input] : body.input;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((t) => typeof t === "string")) {
    return openAIError(400, 'send "messages" (chat form) or "input" (a text or a list of texts)', "messages");
  }
  const scored: Scored[] = [];
  for (const [i, text] of (inputs as string[]).entries()) {
    const s = scoreTemplated(text, seed);
    if (!s) return openAIError(400, `input ${i} ${NOT_TEMPLATED}`, "input");
    scored.push(s);
  }
  return scored;
}

function poolingUsage(scored: Scored[]) {
  const tokens = scored.reduce((sum, s) => sum + s.tokens, 0);
  return { prompt_tokens: tokens, total_tokens: tokens, completion_tokens: 0, prompt_tokens_details: null };
}

/** One value per label: the reward at label 0, distractors after it. */
function labelValues(score: number, labels: number): number[] {
  return Array.from({ length: labels }, (_, i) => (i === 0 ? score : -i * score));
}

/**
 * A token-level reward as vLLM gives it for a reward model such as internlm2-1_8b-reward: one row
 * per token of one value per label (shape (tokens, labels)), the last row scoring the sequence.
 */
function perToken(s: Scored, labels: number): number[][] {
  const length = Math.max(2, Math.min(s.tokens, 8));
  return Array.from({ length }, (_, i) =>
    labelValues(i === length - 1 ? s.score : (s.score * (i + 1)) / (2 * length), labels),
  );
}

/** An item's /pooling `data`: a number for one label, a list per label, or rows per token. */
function pooledData(s: Scored, ctx: HandlerContext): number | number[] | number[][] {
  if (ctx.poolingPerToken) return perToken(s, ctx.labels);
  return ctx.labels === 1 ? s.score : labelValues(s.score, ctx.labels);
}

export function handlePooling(body: Body, ctx: HandlerContext): HandlerResult {
  const scored = scoreVllmRequest(body, ctx.seed);
  if (!Array.isArray(scored)) return scored;
  return {
    status: 200,
    body: {
      id: "pool-sim",
      object: "list",
      created: created(),
      model: body.model ?? "tpo-sim-reward",
      data: scored.map((s, index) => ({
        index,
        object: "pooling",
        data: pooledData(s, ctx),
      })),
      usage: poolingUsage(scored),
    },
  };
}

/** vLLM's /classify (chat or input form) and SGLang's native /classify ({ text: [...] }). */
export function handleClassify(body: Body, ctx: HandlerContext): HandlerResult {
  if (body.text !== undefined) {
    const texts = typeof body.text === "string" ? [body.text] : body.text;
    if (!Array.isArray(texts) || !texts.every((t) => typeof t === "string")) {
      return { status: 400, body: { error: '"text" must be a string or a list of strings' } };
    }
    const items = [];
    for (const [index, text] of (texts as string[]).entries()) {
      const twice = doubleBos(text);
      if (twice) return { status: 400, body: { error: `text ${index} ${twice}` } };
      const s = scoreTemplated(text, ctx.seed);
      if (!s) return { status: 400, body: { error: `text ${index} ${NOT_TEMPLATED}` } };
      items.push({ embedding: [s.score], index, meta_info: { id: `sim-${index}`, prompt_tokens: s.tokens } });
    }
    return { status: 200, body: items };
  }
  const scored = scoreVllmRequest(body, ctx.seed);
  if (!Array.isArray(scored)) return scored;
  return {
    status: 200,
    body: {
      id: "classify-sim",
      object: "list",
      created: created(),
      model: body.model ?? "tpo-sim-reward",
      data: scored.map((s, index) => ({
        index,
        label: "LABEL_0",
        probs: labelValues(s.score, ctx.labels),
        num_classes: ctx.labels,
      })),
      usage: poolingUsage(scored),
    },
  };
}

function teiError(message: string): HandlerResult {
  return { status: 422, body: { error: message, error_type: "Validation" } };
}

/**
 * TEI's /predict. A string is one input; a list of two strings is ONE text pair; a list of lists
 * is a batch, each inner list one text or a pair. A single input gets a flat list of
 * {score, label}, a batch a list of such lists.
 */
export function handlePredict(body: Body, ctx: HandlerContext): HandlerResult {
  const inputs = body.inputs;
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((t) => typeof t === "string");
  const scoreSequence = (sequence: string[]): { score: number; label: string }[] | string => {
    const twice = doubleBos(sequence[0]);
    if (twice) return `input ${twice}`;
    const s = scoreTemplated(sequence.join(""), ctx.seed);
    return s ? [{ score: s.score, label: "LABEL_0" }] : `input ${NOT_TEMPLATED}`;
  };
  if (typeof inputs === "string" || (isStrings(inputs) && inputs.length === 2)) {
    const result = scoreSequence(typeof inputs === "string" ? [inputs] : inputs);
    return typeof result === "string" ? teiError(result) : { status: 200, body: result };
  }
  if (
    !Array.isArray(inputs) ||
    inputs.length === 0 ||
    !inputs.every((seq) => isStrings(seq) && (seq.length === 1 || seq.length === 2))
  ) {
    return teiError('"inputs" must be a text, a text pair, or a list of [text] or [text, text_pair] lists');
  }
  const results = [];
  for (const [i, sequence] of (inputs as string[][]).entries()) {
    const result = scoreSequence(sequence);
    if (typeof result === "string") return teiError(`batch item ${i}: ${result}`);
    results.push(result);
  }
  return { status: 200, body: results };
}
