import { contentId } from "../batch/ids.js";
import type { ChatTurn } from "../../messages/conversation.js";
import type { Answer } from "../compare/sides.js";
import { markdownCounts } from "../arena-hard/markdown-metadata.js";
import type { AnswerMetadata } from "../arena-hard/style-control.js";

/**
 * One line of an Arena-Hard-Auto answer file, `data/<bench>/model_answer/<model>.jsonl`, as
 * `gen_answer.py` writes it and `gen_judgment.py` reads it (lmarena/arena-hard-auto at 196f6b8,
 * the v2.0 code that judges arena-hard-v0.1 and v2.0 alike): answers are keyed by `uid` (the
 * question's), and the judge reads the answer at `messages[-1].content.answer`.
 */
export interface ArenaHardAnswer {
  uid: string;
  ans_id: string;
  model: string;
  messages: (ChatTurn | { role: "assistant"; content: { answer: string } })[];
  tstamp: number;
  /** What arena-hard-auto's style control reads: token_len and the markdown counts outside code blocks (utils/add_markdown_info.py). */
  metadata: AnswerMetadata;
}

/** An answer's `metadata` as add_markdown_info.py writes it, its tokens counted by `countTokens` (gpt-4o's encoding). */
export function answerMetadata(answer: string, countTokens: (text: string) => number): AnswerMetadata {
  return { token_len: countTokens(answer), ...markdownCounts(answer) };
}

/** The conversation that was answered: the input's turns, after the run's system prompt when it had one. */
function conversationOf(answer: Answer): ChatTurn[] {
  const { record } = answer;
  const turns = record.messages ?? [{ role: "user", content: answer.query }];
  const system = record.settings?.systemPrompt;
  return system !== undefined && turns[0]?.role !== "system"
    ? [{ role: "system", content: system }, ...turns]
    : turns;
}

/** The answers as Arena-Hard answer lines; the query ids must be the questions' uids. */
export function arenaHardAnswers(
  answers: Iterable<Answer>,
  options: { model: string; countTokens: (text: string) => number },
): ArenaHardAnswer[] {
  return [...answers].map((answer) => ({
    uid: answer.id,
    // gen_answer.py draws a shortuuid; a hash keeps a second export of the same answers identical.
    ans_id: contentId([options.model, answer.id, answer.text]),
    model: options.model,
    messages: [...conversationOf(answer), { role: "assistant", content: { answer: answer.text } }],
    tstamp: Date.parse(answer.record.finishedAt) / 1000,
    metadata: answerMetadata(answer.text, options.countTokens),
  }));
}

/** The file: JSON lines. */
export function arenaHardJsonl(lines: ArenaHardAnswer[]): string {
  return lines.map((line) => `${JSON.stringify(line)}\n`).join("");
}
