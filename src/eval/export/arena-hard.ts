import { contentId } from "../batch/ids.js";
import type { ChatTurn } from "../../messages/conversation.js";
import type { Answer } from "../compare/sides.js";

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
export function arenaHardAnswers(answers: Iterable<Answer>, options: { model: string }): ArenaHardAnswer[] {
  return [...answers].map((answer) => ({
    uid: answer.id,
    // gen_answer.py draws a shortuuid; a hash keeps a second export of the same answers identical.
    ans_id: contentId([options.model, answer.id, answer.text]),
    model: options.model,
    messages: [...conversationOf(answer), { role: "assistant", content: { answer: answer.text } }],
    tstamp: Date.parse(answer.record.finishedAt) / 1000,
  }));
}

/** The file: JSON lines. */
export function arenaHardJsonl(lines: ArenaHardAnswer[]): string {
  return lines.map((line) => `${JSON.stringify(line)}\n`).join("");
}
