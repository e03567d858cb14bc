import type { PlaygroundEvent } from "../../playground-data.js";
import type { CandidateData, IterationData } from "../../report-data.js";
import { el, replaceChildren } from "../dom.js";
import { count, duration, fixed } from "../format.js";
import { candidateView, iterationView, textBlock } from "../iteration-view.js";
import { rewardChart } from "../reward-chart.js";

type Started = Extract<PlaygroundEvent, { type: "iteration.started" }>;

/** One run as it happens: a section per iteration, filled in as its events arrive, then the answer. */
export class RunView {
  readonly element = el("div", { id: "run-view" });
  private readonly status = el("p", { id: "status", role: "status" });
  private readonly chart = el("section", { class: "field chart" });
  private readonly list = el("div", { class: "iterations" });
  private readonly answer = el("section", { class: "field final-answer", hidden: true });
  private readonly costs = el("div", { class: "costs" });
  private readonly pool = new Map<string, CandidateData>();
  private readonly candidates: CandidateData[] = [];
  private readonly records: IterationData[] = [];
  private readonly sections = new Map<number, HTMLElement>();
  private readonly started = new Map<number, Started>();
  private readonly texts = new Map<number, { critique: string | null; gradient: string | null }>();
  private answerText = "";
  private depth: number | null = null;
  private mode = "tpo";
  private readonly began = performance.now();
  private usage = { requests: 0, tokens: 0 };

  constructor(private readonly untaggedRewrites: string | null) {
    replaceChildren(this.element, this.status, this.costs, this.chart, this.list, this.answer);
    this.state("running", "Starting the run…");
    this.showCosts();
  }

  /** running, done, stopped or failed: also on the element, for whoever watches the page. */
  state(state: string, message: string): void {
    this.element.setAttribute("data-state", state);
    this.status.textContent = message;
    this.showCosts();
  }

  private showCosts(): void {
    replaceChildren(
      this.costs,
      el("span", {}, "requests ", el("b", { id: "cost-requests" }, count(this.usage.requests))),
      el("span", {}, "tokens ", el("b", { id: "cost-tokens" }, count(this.usage.tokens))),
      el("span", {}, "time ", el("b", { id: "cost-time" }, duration(performance.now() - this.began))),
    );
  }

  private section(iteration: number): HTMLElement {
    let section = this.sections.get(iteration);
    if (!section) {
      section = el("section", { class: "iteration", "data-iteration": iteration });
      this.sections.set(iteration, section);
      this.list.appendChild(section);
    }
    return section;
  }

  private title(iteration: number): string {
    return iteration === 0
      ? "Iteration 0: first samples"
      : `Iteration ${iteration}${this.depth === null ? "" : ` of ${this.depth}`}`;
  }

  /** An iteration under way: the pair it compares, the critique and suggestions once written. */
  private drawPending(iteration: number): void {
    const start = this.started.get(iteration);
    const texts = this.texts.get(iteration) ?? { critique: null, gradient: null };
    const parts: HTMLElement[] = [
      el("h3", {}, this.title(iteration), el("span", { class: "cost pending" }, " · running")),
    ];
    if (iteration === 0) {
      parts.push(el("p", { class: "pending" }, "Sampling and scoring the first responses…"));
    } else {
      const chosen = start?.chosen ? this.pool.get(start.chosen) : undefined;
      const rejected = start?.rejected ? this.pool.get(start.rejected) : undefined;
      parts.push(
        el(
          "section",
          { class: "field pair" },
          el("h4", {}, "Compared"),
          candidateView(chosen, [el("span", { class: "badge chosen" }, "chosen")], true),
          rejected
            ? candidateView(rejected, [el("span", { class: "badge rejected" }, "rejected")], true)
            : el("p", { class: "muted" }, "No rejected response."),
        ),
        texts.critique === null
          ? el("p", { class: "pending" }, "Writing the critique…")
          : textBlock("Critique", texts.critique, "", "critique"),
      );
      if (texts.critique !== null) {
        parts.push(
          texts.gradient === null
            ? el("p", { class: "pending" }, "Writing the suggestions…")
            : textBlock("Suggestions (textual gradient)", texts.gradient, "", "gradient"),
        );
      }
      if (texts.gradient !== null) parts.push(el("p", { class: "pending" }, "Rewriting and scoring…"));
    }
    replaceChildren(this.section(iteration), parts);
  }

  private drawRecorded(index: number): void {
    const it = this.records[index];
    const next = this.started.get(it.iteration + 1);
    const view = iterationView(it, {
      pool: this.pool,
      candidates: this.candidates,
      depth: this.depth,
      mode: this.mode,
      untaggedRewrites: this.untaggedRewrites,
      previousBestId: index === 0 ? null : this.records[index - 1].bestId,
      next: next ? { chosen: next.chosen, rejected: next.rejected } : null,
    });
    view.setAttribute("data-recorded", "");
    this.section(it.iteration).replaceWith(view);
    this.sections.set(it.iteration, view);
  }

  private drawChart(): void {
    const candidates = this.candidates.flatMap((c) =>
      c.score === null ? [] : [{ iteration: c.iteration, score: c.score }],
    );
    const best = this.records.flatMap((r) =>
      r.bestSoFar === null ? [] : [{ iteration: r.iteration, score: r.bestSoFar }],
    );
    const last = this.records.at(-1)?.iteration ?? 0;
    replaceChildren(
      this.chart,
      el("h4", {}, "Reward by iteration"),
      rewardChart({ candidates, best, iterations: Math.max(last, this.depth ?? 0) }),
    );
  }

  /** A progress event of the run. */
  on(event: PlaygroundEvent): void {
    if (event.type === "iteration.started") {
      this.depth = event.mode === "bon" ? 0 : event.depth;
      this.mode = event.mode;
      this.started.set(event.iteration, event);
      this.status.textContent = `Running ${this.title(event.iteration).toLowerCase()}…`;
      this.drawPending(event.iteration);
      const previous = this.records.findIndex((r) => r.iteration === event.iteration - 1);
      if (previous >= 0) this.drawRecorded(previous); // its candidates' "chosen next" marks
    } else if (event.type === "critique" || event.type === "gradient") {
      const texts = this.texts.get(event.iteration) ?? { critique: null, gradient: null };
      texts[event.type] = event.text;
      this.texts.set(event.iteration, texts);
      this.drawPending(event.iteration);
    } else if (event.type === "iteration") {
      for (const c of event.candidates) {
        if (!this.pool.has(c.id)) this.candidates.push(c);
        this.pool.set(c.id, c);
      }
      this.records.push(event.iteration);
      this.usage = event.usage;
      this.drawRecorded(this.records.length - 1);
      this.drawChart();
      this.showCosts();
    } else if (event.type === "stopped") {
      this.status.textContent = `Stopped by ${event.reason} after iteration ${event.iteration}; choosing the answer…`;
    }
  }

  /** Part of the answer's text. */
  content(text: string): void {
    this.answerText += text;
  }

  /** The answer is complete: its text, score and iteration, and what the run cost. */
  finished(tpo: { score?: number; iteration?: number; usage?: Record<string, unknown> }): void {
    const usage = tpo.usage ?? {};
    const n = (key: string) => (typeof usage[key] === "number" ? (usage[key] as number) : 0);
    this.usage = { requests: n("modelRequests"), tokens: n("promptTokens") + n("completionTokens") };
    replaceChildren(
      this.answer,
      el(
        "h3",
        {},
        `Final answer: ${fixed(tpo.score ?? null)}, written in iteration ${count(tpo.iteration ?? null)}`,
      ),
      el("div", { class: "text", id: "answer" }, this.answerText),
    );
    this.answer.hidden = false;
  }

  get answerSoFar(): string {
    return this.answerText;
  }
}
