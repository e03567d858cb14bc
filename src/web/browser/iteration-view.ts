import { diffWords } from "../../util/word-diff.js";
import type { CandidateData, IterationData } from "../report-data.js";
import { el, type Child } from "./dom.js";
import { count, duration, firstLine, fixed, plural, signed } from "./format.js";

/** What an iteration's view needs beside its record: the pool, the run's settings, its neighbours. */
export interface IterationContext {
  pool: Map<string, CandidateData>;
  /** Every candidate, in the order the run made them. */
  candidates: readonly CandidateData[];
  depth: number | null;
  mode: string;
  untaggedRewrites: string | null;
  /** The best before this iteration (null for iteration 0). */
  previousBestId: string | null;
  /** The pair the next iteration compared, when there is one. */
  next: { chosen: string | null; rejected: string | null } | null;
}

/** The label of a candidate's role, as a small badge. */
function badge(kind: string, label: string): HTMLElement {
  return el("span", { class: `badge ${kind}` }, label);
}

/** A candidate: its score and badges, the first line; the whole text when opened. */
export function candidateView(c: CandidateData | undefined, badges: Child[], open = false): HTMLElement {
  if (!c) return el("p", { class: "muted" }, "(not in the pool)");
  const details = el(
    "details",
    { class: "candidate", open, "data-id": c.id },
    el(
      "summary",
      {},
      el("span", { class: "score" }, c.score === null ? "unscored" : fixed(c.score)),
      " ",
      badges,
      " ",
      el("span", { class: "first-line" }, firstLine(c.text)),
    ),
    el("div", { class: "text" }, c.text),
  );
  return details;
}

/** A titled block of text, or a note saying it is missing. */
export function textBlock(title: string, text: string | null, missing: string, kind = ""): HTMLElement {
  return el(
    "section",
    { class: `field ${kind}`.trim() },
    el("h4", {}, title),
    text === null || text.trim() === ""
      ? el("p", { class: "muted" }, missing)
      : el("div", { class: "text" }, text),
  );
}

/** The word diff from one text to another: removed words struck through, added ones marked. */
export function diffView(before: string, after: string): HTMLElement {
  const parts = diffWords(before, after).map((part) =>
    part.type === "same"
      ? part.text
      : part.type === "added"
        ? el("ins", {}, part.text)
        : el("del", {}, part.text),
  );
  return el("div", { class: "text diff" }, parts);
}

const byScore = (x: CandidateData, y: CandidateData) => (y.score ?? -Infinity) - (x.score ?? -Infinity);

function roleBadges(c: CandidateData, it: IterationData, ctx: IterationContext): Child[] {
  const badges: Child[] = [];
  if (c.id === it.bestId && c.id !== ctx.previousBestId) badges.push(badge("best", "new best"));
  else if (c.id === it.bestId) badges.push(badge("best", "best"));
  if (ctx.next?.chosen === c.id) badges.push(badge("chosen", "chosen next"));
  if (ctx.next?.rejected === c.id) badges.push(badge("rejected", "rejected next"));
  return badges;
}

function whyNoRejected(mode: string): string {
  return mode === "revision"
    ? "No rejected response: mode revision critiques the chosen response alone."
    : "No rejected response: every candidate had the same score.";
}

function newCandidatesLine(it: IterationData, ctx: IterationContext, fresh: CandidateData[]): string {
  const scores = fresh.flatMap((c) => (c.score === null ? [] : [c.score]));
  const what = it.iteration === 0 ? "sample" : "rewrite";
  const parts = [
    scores.length > 0
      ? `${plural(fresh.length, `new ${what}`)}, scored ${fixed(Math.min(...scores))} to ${fixed(Math.max(...scores))}`
      : `no new ${what}s`,
  ];
  if (it.untagged > 0) {
    parts.push(
      ctx.untaggedRewrites === "keep"
        ? `${plural(it.untagged, "rewrite")} without the response tags, kept whole`
        : `${plural(it.untagged, "rewrite")} without the response tags, dropped (never scored)`,
    );
  }
  if (it.failures > 0) parts.push(plural(it.failures, "failed sample"));
  return `${parts.join("; ")}.`;
}

function bestChange(it: IterationData, ctx: IterationContext): HTMLElement {
  const after = it.bestId === null ? undefined : ctx.pool.get(it.bestId);
  if (!after) return el("p", { class: "muted" }, "No scored candidate yet.");
  if (it.iteration === 0) {
    return el(
      "section",
      { class: "field" },
      el("h4", {}, "Best of the first samples"),
      el("p", {}, fixed(after.score)),
    );
  }
  const before = ctx.previousBestId === null ? undefined : ctx.pool.get(ctx.previousBestId);
  if (!before || before.id === after.id) {
    return el(
      "section",
      { class: "field" },
      el("h4", {}, "Best"),
      el("p", {}, `Unchanged at ${fixed(after.score)}: no new candidate beat it.`),
    );
  }
  const gain = after.score !== null && before.score !== null ? after.score - before.score : null;
  return el(
    "section",
    { class: "field new-best" },
    el(
      "h4",
      {},
      `New best: ${fixed(after.score)} (${signed(gain)} over ${fixed(before.score)}), written in iteration ${after.iteration}`,
    ),
    el(
      "p",
      { class: "muted legend" },
      "Word diff against the previous best: ",
      el("del", {}, "removed"),
      " ",
      el("ins", {}, "added"),
    ),
    diffView(before.text, after.text),
  );
}

/** One iteration: the pair it compared, the critique and suggestions, the new candidates, the new best. */
export function iterationView(it: IterationData, ctx: IterationContext): HTMLElement {
  const fresh = ctx.candidates.filter((c) => c.iteration === it.iteration).sort(byScore);
  const title =
    it.iteration === 0
      ? "Iteration 0: first samples"
      : `Iteration ${it.iteration}${ctx.depth === null ? "" : ` of ${ctx.depth}`}`;
  const cost =
    it.requests === null && it.ms === null
      ? null
      : `${count(it.requests)} request${it.requests === 1 ? "" : "s"}, ${count(it.tokens)} tokens, ${duration(it.ms)}`;
  const parts: Child[] = [el("h3", {}, title, cost ? el("span", { class: "cost" }, ` · ${cost}`) : null)];
  if (it.iteration > 0) {
    const chosen = it.chosen === null ? undefined : ctx.pool.get(it.chosen);
    const rejected = it.rejected === null ? undefined : ctx.pool.get(it.rejected);
    parts.push(
      el(
        "section",
        { class: "field pair" },
        el("h4", {}, "Compared"),
        it.chosen === null
          ? el("p", { class: "muted" }, "(no chosen response)")
          : candidateView(chosen, [badge("chosen", "chosen")], true),
        it.rejected === null
          ? el("p", { class: "muted" }, whyNoRejected(ctx.mode))
          : candidateView(rejected, [badge("rejected", "rejected")], true),
      ),
      textBlock("Critique", it.critique, "(no critique)", "critique"),
      textBlock("Suggestions (textual gradient)", it.gradient, "(no suggestions)", "gradient"),
    );
  }
  parts.push(
    el(
      "section",
      { class: "field new" },
      el("h4", {}, it.iteration === 0 ? "Samples" : "Rewrites"),
      el("p", { class: "summary-line" }, newCandidatesLine(it, ctx, fresh)),
      el(
        "div",
        { class: "candidates" },
        fresh.map((c) => candidateView(c, roleBadges(c, it, ctx))),
      ),
    ),
    bestChange(it, ctx),
  );
  return el("section", { class: "iteration", "data-iteration": it.iteration }, parts);
}
