import type { CandidateData, ComparisonData, QueryData } from "../../report-data.js";
import { el, type Child } from "../dom.js";
import { count, duration, fixed } from "../format.js";
import { iterationView, textBlock } from "../iteration-view.js";
import { rewardChart } from "../reward-chart.js";

function queryText(q: QueryData): HTMLElement {
  if (q.messages && q.messages.length > 0) {
    return el(
      "section",
      { class: "field conversation" },
      el("h4", {}, "Conversation"),
      q.messages.map((m) =>
        el(
          "div",
          { class: "turn" },
          el("span", { class: "role" }, m.role),
          el("div", { class: "text" }, m.content),
        ),
      ),
    );
  }
  return textBlock("Query", q.query, "(the input line could not be read)", "query-text");
}

function facts(q: QueryData): HTMLElement {
  const rows: [string, Child][] = [
    ["mode", q.mode],
    [
      "stopped by",
      q.error !== null
        ? "failed"
        : `${q.stopReason ?? "–"}${q.stoppedAt === null ? "" : ` at iteration ${q.stoppedAt}`}`,
    ],
    ["first samples' best", fixed(q.first)],
    ["answer's score", fixed(q.best)],
    ["cost", `${count(q.requests)} model requests, ${count(q.tokens)} tokens, ${duration(q.ms)}`],
  ];
  const settings = q.settings.filter(([name]) => !["mode"].includes(name));
  if (settings.length > 0)
    rows.push(["settings", settings.map(([name, value]) => `${name} ${value}`).join(", ")]);
  return el(
    "dl",
    { class: "facts" },
    rows.map(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]),
  );
}

function chartOf(q: QueryData): HTMLElement {
  const candidates = q.pool.flatMap((c) =>
    c.score === null ? [] : [{ iteration: c.iteration, score: c.score }],
  );
  const best = q.history.flatMap((h) =>
    h.bestSoFar === null ? [] : [{ iteration: h.iteration, score: h.bestSoFar }],
  );
  const iterations = Math.max(0, ...q.history.map((h) => h.iteration));
  return el(
    "section",
    { class: "field chart" },
    el("h4", {}, "Reward by iteration"),
    el(
      "p",
      { class: "muted legend" },
      "Dots: each candidate's score at the iteration that wrote it. Line: the best so far.",
    ),
    rewardChart({ candidates, best, iterations }),
  );
}

function depthOf(q: QueryData): number | null {
  const depth = Number(q.settings.find(([name]) => name === "depth")?.[1]);
  return q.mode === "bon" ? 0 : Number.isInteger(depth) ? depth : null;
}

function iterations(q: QueryData): HTMLElement[] {
  const pool = new Map<string, CandidateData>(q.pool.map((c) => [c.id, c]));
  return q.history.map((it, i) => {
    const next = q.history[i + 1];
    return iterationView(it, {
      pool,
      candidates: q.pool,
      depth: depthOf(q),
      mode: q.mode,
      untaggedRewrites: q.untaggedRewrites,
      previousBestId: i === 0 ? null : q.history[i - 1].bestId,
      next: next ? { chosen: next.chosen, rejected: next.rejected } : null,
    });
  });
}

const OUTCOME: Record<string, string> = { a: "a wins", b: "b wins", tie: "tie" };

function judgments(q: QueryData, comparisons: readonly ComparisonData[]): HTMLElement | null {
  const found = comparisons.flatMap((c) => {
    const j = c.judgments.find((x) => x.id === q.id);
    return j ? [{ c, j }] : [];
  });
  if (found.length === 0) return null;
  return el(
    "section",
    { class: "judgments" },
    el("h3", {}, "Pairwise judgments"),
    found.map(({ c, j }) =>
      el(
        "section",
        { class: "field judgment" },
        el(
          "h4",
          {},
          `${c.a} vs ${c.b}: ${Object.hasOwn(OUTCOME, j.outcome) ? OUTCOME[j.outcome] : j.outcome}`,
        ),
        el("p", { class: "muted" }, `Judged by ${c.judge} (${c.source}), in both orders.`),
        j.games.map((g, i) =>
          el(
            "div",
            { class: "game" },
            el(
              "p",
              {},
              el("strong", {}, `Order ${i + 1}: `),
              `${g.shownFirst} shown first as Response A; verdict ${g.verdict}, for ${g.winner === "tie" ? "neither (tie)" : g.winner}.`,
            ),
            el("div", { class: "text rationale" }, g.rationale || "(no rationale)"),
          ),
        ),
      ),
    ),
  );
}

function answer(q: QueryData): HTMLElement {
  if (!q.answer) return textBlock("Final answer", null, "(no answer)");
  return el(
    "section",
    { class: "field final-answer" },
    el("h3", {}, `Final answer: ${fixed(q.answer.score)}, written in iteration ${q.answer.iteration}`),
    el("div", { class: "text" }, q.answer.text),
  );
}

/** A query's page: what it asked, its reward by iteration, every iteration, the answer, the verdicts. */
export function queryPage(q: QueryData, comparisons: readonly ComparisonData[]): Child[] {
  return [
    el("p", {}, el("button", { type: "button", id: "back", class: "back" }, "← all queries")),
    el("h2", { id: "query-title" }, `Query ${q.id}`, el("span", { class: "mode" }, ` · ${q.mode}`)),
    facts(q),
    queryText(q),
    q.error !== null ? el("p", { class: "error" }, `This query failed: ${q.error}`) : null,
    q.history.length > 0 ? chartOf(q) : null,
    iterations(q),
    answer(q),
    judgments(q, comparisons),
  ];
}
