import type { CandidateData, ComparisonData, QueryDetail, QueryRow } from "../../report-data.js";
import { el, type Child } from "../dom.js";
import { count, duration, fixed } from "../format.js";
import { iterationView, textBlock } from "../iteration-view.js";
import { rewardChart } from "../reward-chart.js";

/** A query as its page shows it: its row, its story, and its run settings. */
export interface QueryView {
  row: QueryRow;
  detail: QueryDetail;
  settings: [string, string][];
}

function setting(q: QueryView, name: string): string | null {
  return q.settings.find(([n]) => n === name)?.[1] ?? null;
}

function queryText(q: QueryView): HTMLElement {
  const messages = q.detail.messages;
  if (messages && messages.length > 0) {
    return el(
      "section",
      { class: "field conversation" },
      el("h4", {}, "Conversation"),
      messages.map((m) =>
        el(
          "div",
          { class: "turn" },
          el("span", { class: "role" }, m.role),
          el("div", { class: "text" }, m.content),
        ),
      ),
    );
  }
  return textBlock("Query", q.row.query, "(the input line could not be read)", "query-text");
}

function facts(q: QueryView): HTMLElement {
  const { row, detail } = q;
  const stopped =
    row.error !== null
      ? "failed"
      : `${row.stopReason ?? "–"}${detail.stoppedAt === null ? "" : ` at iteration ${detail.stoppedAt}`}`;
  const rows: [string, Child][] = [
    ["mode", row.mode],
    ["stopped by", stopped],
    ["first samples' best", fixed(row.first)],
    ["answer's score", fixed(row.best)],
    [
      "cost",
      `${count(row.requests)} model requests, ${count(row.tokens)} tokens, ${duration(detail.ms)}` +
        (row.costUsd === null ? "" : `, $${fixed(row.costUsd, 4)}`),
    ],
  ];
  const settings = q.settings.filter(([name]) => name !== "mode");
  if (settings.length > 0)
    rows.push(["settings", settings.map(([name, value]) => `${name} ${value}`).join(", ")]);
  return el(
    "dl",
    { class: "facts" },
    rows.map(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]),
  );
}

function chartOf(detail: QueryDetail): HTMLElement {
  const candidates = detail.pool.flatMap((c) =>
    c.score === null ? [] : [{ iteration: c.iteration, score: c.score }],
  );
  const best = detail.history.flatMap((h) =>
    h.bestSoFar === null ? [] : [{ iteration: h.iteration, score: h.bestSoFar }],
  );
  const iterations = Math.max(0, ...detail.history.map((h) => h.iteration));
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

function depthOf(q: QueryView): number | null {
  if (q.row.mode === "bon") return 0;
  const depth = Number(setting(q, "depth"));
  return Number.isInteger(depth) ? depth : null;
}

function iterations(q: QueryView): HTMLElement[] {
  const { history, pool } = q.detail;
  const byId = new Map<string, CandidateData>(pool.map((c) => [c.id, c]));
  return history.map((it, i) => {
    const next = history[i + 1];
    return iterationView(it, {
      pool: byId,
      candidates: pool,
      depth: depthOf(q),
      mode: q.row.mode,
      untaggedRewrites: setting(q, "untaggedRewrites"),
      previousBestId: i === 0 ? null : history[i - 1].bestId,
      next: next ? { chosen: next.chosen, rejected: next.rejected } : null,
    });
  });
}

const OUTCOME = new Map([
  ["a", "a wins"],
  ["b", "b wins"],
  ["tie", "tie"],
]);

function judgments(q: QueryView, comparisons: readonly ComparisonData[]): HTMLElement | null {
  const found = comparisons.flatMap((c) => {
    const j = c.judgments.find((x) => x.id === q.row.id);
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
        el("h4", {}, `${c.a} vs ${c.b}: ${OUTCOME.get(j.outcome) ?? j.outcome}`),
        el("p", { class: "muted" }, `Judged by ${c.judge} (${c.source}), in both orders.`),
        j.games.map((g, i) =>
          el(
            "div",
            { class: "game" },
            el(
              "p",
              {},
              el("strong", {}, `Order ${i + 1}: `),
              `${g.shownFirst} shown first, as Response A; verdict ${g.verdict}, for ${g.winner === "tie" ? "neither (a tie)" : g.winner}.`,
            ),
            el("div", { class: "text rationale" }, g.rationale || "(no rationale)"),
          ),
        ),
      ),
    ),
  );
}

function answer(detail: QueryDetail): HTMLElement {
  const a = detail.answer;
  if (!a) return textBlock("Final answer", null, "(no answer)");
  const text = "pool" in a ? (detail.pool[a.pool]?.text ?? "") : a.text;
  return el(
    "section",
    { class: "field final-answer" },
    el("h3", {}, `Final answer: ${fixed(a.score)}, written in iteration ${count(a.iteration)}`),
    el("div", { class: "text" }, text),
  );
}

/** A query's page: what it asked, its reward by iteration, every iteration, the answer, the verdicts. */
export function queryPage(q: QueryView, comparisons: readonly ComparisonData[]): Child[] {
  const { row, detail } = q;
  return [
    el("p", {}, el("button", { type: "button", id: "back", class: "back" }, "← all queries")),
    el("h2", { id: "query-title" }, `Query ${row.id}`, el("span", { class: "mode" }, ` · ${row.mode}`)),
    facts(q),
    queryText(q),
    row.error !== null ? el("p", { class: "error" }, `This query failed: ${row.error}`) : null,
    detail.history.length > 0 ? chartOf(detail) : null,
    iterations(q),
    answer(detail),
    judgments(q, comparisons),
  ];
}
