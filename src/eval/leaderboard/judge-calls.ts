import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatGeneration } from "@langchain/core/outputs";
import {
  preferenceFromLabel,
  preferenceFromTopLogprobs,
  type TopLogprob,
} from "../alpaca-eval/judge-preference.js";
import { verdictOf } from "../arena-hard/verdict.js";
import { ALPACA_EVAL_LABELS } from "../../prompts/leaderboard-judges.js";
import { fillTemplate, type PromptTemplate } from "../../prompts/template.js";
import { TpoConfigError } from "../../errors.js";
import { judgedWithCache, judgeRequest, type JudgeCache } from "../judge-cache.js";

/** What a judge's requests cost: requests, and tokens as the server counted them. */
export interface JudgeUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

export const noUsage = (): JudgeUsage => ({ requests: 0, promptTokens: 0, completionTokens: 0 });

function isUsage(value: unknown): value is JudgeUsage {
  const v = value as Record<string, unknown> | null | undefined;
  return ["requests", "promptTokens", "completionTokens"].every((k) => typeof v?.[k] === "number");
}

export function addUsage(total: JudgeUsage, more: JudgeUsage): void {
  total.requests += more.requests;
  total.promptTokens += more.promptTokens;
  total.completionTokens += more.completionTokens;
}

/** A server that gave no log-probabilities to the weighted judge: a setting to change, not a run to retry (exit 2). */
export class MissingLogprobsError extends TpoConfigError {}

/** The judge's messages: the template's system message (when it has one) and its user message, filled. */
export function judgeMessages(template: PromptTemplate, values: Record<string, string>): BaseMessage[] {
  const system = fillTemplate(template.system, values);
  const user = new HumanMessage(fillTemplate(template.user, values));
  return system.trim() === "" ? [user] : [new SystemMessage(system), user];
}

/** Messages as the judged files record them (arena-hard-auto's `prompt`). */
export function wireMessages(messages: BaseMessage[]): { role: string; content: string }[] {
  return messages.map((m) => ({ role: SystemMessage.isInstance(m) ? "system" : "user", content: m.text }));
}

interface Reply {
  text: string;
  logprobs: unknown;
  usage: JudgeUsage;
}

/** One request to the judge: its text, the logprobs it returned (if any) and its usage. */
async function ask(
  model: BaseChatModel,
  messages: BaseMessage[],
  options: { temperature: number; maxTokens: number },
): Promise<Reply> {
  const result = await model.generate([messages], {
    temperature: options.temperature,
    maxTokens: options.maxTokens,
    tags: ["tpo:leaderboard-judge"],
  } as Parameters<BaseChatModel["generate"]>[1]);
  const generation = result.generations[0]?.[0] as ChatGeneration | undefined;
  const usage = (
    generation?.message as { usage_metadata?: { input_tokens?: number; output_tokens?: number } }
  )?.usage_metadata;
  return {
    text: generation?.text ?? "",
    logprobs: generation?.generationInfo?.logprobs,
    usage: {
      requests: 1,
      promptTokens: usage?.input_tokens ?? 0,
      completionTokens: usage?.output_tokens ?? 0,
    },
  };
}

/** The first token's top log-probabilities of a chat completion's `logprobs`, or null when it has none. */
function firstTopLogprobs(logprobs: unknown): TopLogprob[] | null {
  const first = (logprobs as { content?: { top_logprobs?: unknown }[] } | null | undefined)?.content?.[0];
  const top = first?.top_logprobs;
  if (!Array.isArray(top)) return null;
  return top.filter(
    (t): t is TopLogprob =>
      typeof (t as TopLogprob)?.token === "string" && typeof (t as TopLogprob)?.logprob === "number",
  );
}

/** Top log-probabilities asked of the weighted judge, as alpaca_eval's weighted_alpaca_eval_gpt4_turbo asks. */
export const ALPACA_EVAL_TOP_LOGPROBS = 5;

export interface LabelJudgement {
  /** In the order shown: 1 the output shown first is better … 2 the one shown second. */
  preference: number | null;
  /** What the preference was read from: the top log-probabilities, or the label's text. */
  raw: unknown;
  usage: JudgeUsage;
}

/**
 * AlpacaEval's judge on one pair, in the order shown. `weighted`: one token at temperature 1 (the
 * official configuration's; the sampled token does not matter), the preference read from its top
 * log-probabilities; a server that returns none is a MissingLogprobsError. `discrete`: the label
 * it writes at temperature 0, asked again once when it is neither label. With `cache`, a judgement
 * it holds for the same request is not asked again (../judge-cache.ts).
 */
export async function judgeLabels(
  model: BaseChatModel,
  messages: BaseMessage[],
  method: "weighted" | "discrete",
  judgeName: string,
  cache?: JudgeCache,
): Promise<LabelJudgement> {
  const settings =
    method === "weighted"
      ? { temperature: 1, maxTokens: 1, topLogprobs: ALPACA_EVAL_TOP_LOGPROBS }
      : { temperature: 0, maxTokens: 5, attempts: 2 };
  const read = {
    valid: (v: unknown): v is LabelJudgement =>
      typeof (v as LabelJudgement | null)?.preference === "number" && isUsage((v as LabelJudgement).usage),
    counts: (v: LabelJudgement) => v.usage,
  };
  return judgedWithCache(cache, judgeRequest(`alpaca-eval:${method}`, messages, settings), read, () =>
    askLabels(model, messages, method, judgeName),
  );
}

async function askLabels(
  model: BaseChatModel,
  messages: BaseMessage[],
  method: "weighted" | "discrete",
  judgeName: string,
): Promise<LabelJudgement> {
  const usage = noUsage();
  if (method === "weighted") {
    const reply = await ask(model, messages, { temperature: 1, maxTokens: 1 });
    addUsage(usage, reply.usage);
    const top = firstTopLogprobs(reply.logprobs);
    if (top === null) {
      throw new MissingLogprobsError(
        `the judge ${judgeName} returned no log-probabilities, which AlpacaEval's weighted judge reads ` +
          "(logprobs with top_logprobs): use a server that returns them (OpenAI, vLLM, SGLang, llama.cpp's server), " +
          "or pass --discrete for the discrete judge (its win rates are not the leaderboard's weighted ones).",
      );
    }
    return {
      preference: preferenceFromTopLogprobs(top, ALPACA_EVAL_LABELS),
      raw: { top_logprobs: top },
      usage,
    };
  }
  let text = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    const reply = await ask(model, messages, { temperature: 0, maxTokens: 5 });
    addUsage(usage, reply.usage);
    text = reply.text;
    const preference = preferenceFromLabel(text, ALPACA_EVAL_LABELS);
    if (preference !== null) return { preference, raw: text, usage };
  }
  return { preference: null, raw: text, usage };
}

export interface VerdictJudgement {
  /** The verdict label (A>>B …), null when the judge gave none twice. */
  score: string | null;
  /** The judge's last answer. */
  answer: string;
  usage: JudgeUsage;
}

/**
 * Arena-Hard's judge on one game: its answer and its verdict, asked again once when no verdict
 * parses. With `cache`, a judgement it holds for the same request is not asked again (../judge-cache.ts).
 */
export async function judgeVerdict(
  model: BaseChatModel,
  messages: BaseMessage[],
  maxTokens: number,
  cache?: JudgeCache,
): Promise<VerdictJudgement> {
  const read = {
    valid: (v: unknown): v is VerdictJudgement =>
      typeof (v as VerdictJudgement | null)?.score === "string" &&
      typeof (v as VerdictJudgement).answer === "string" &&
      isUsage((v as VerdictJudgement).usage),
    counts: (v: VerdictJudgement) => v.usage,
  };
  const settings = { temperature: 0, maxTokens, attempts: 2 };
  return judgedWithCache(cache, judgeRequest("arena-hard", messages, settings), read, () =>
    askVerdict(model, messages, maxTokens),
  );
}

async function askVerdict(
  model: BaseChatModel,
  messages: BaseMessage[],
  maxTokens: number,
): Promise<VerdictJudgement> {
  const usage = noUsage();
  let answer = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    const reply = await ask(model, messages, { temperature: 0, maxTokens });
    addUsage(usage, reply.usage);
    answer = reply.text;
    const score = verdictOf(answer);
    if (score !== null) return { score, answer, usage };
  }
  return { score: null, answer, usage };
}
