import { describe, expect, it } from "vitest";
import { createTpoGraph } from "../src/graph/builder.js";
import {
  iterationsWithoutGain,
  makeDecideNode,
  nextIterationEstimate,
  stopReasonOf,
  wouldPassBudget,
  wouldPassCost,
} from "../src/nodes/decide.js";
import { parseTpoContext, type TpoContextInput } from "../src/settings/run-settings.js";
import {
  emptyRecord,
  emptyUsage,
  makeCandidate,
  type HistoryRecord,
  type TpoStateType,
  type Usage,
} from "../src/state/state.js";
import { RecordingRewardModel, ScriptedChatModel, uniqueResponder } from "./helpers/fakes.js";

/**
 * The stopping rules at their boundaries, without servers: the budget rule lets a run land exactly
 * on its budget and stops it one token or request short of passing it; the target stops at a score
 * equal to it; patience counts the iterations without gain up to the last one.
 */

function usage(requests: number, prompt: number, completion: number): Usage {
  return { ...emptyUsage(), modelRequests: requests, promptTokens: prompt, completionTokens: completion };
}

function record(iteration: number, bestSoFar: number | null, spent: Usage = emptyUsage()): HistoryRecord {
  return { ...emptyRecord(iteration), bestSoFar, usage: spent };
}

function state(patch: Partial<TpoStateType>): TpoStateType {
  return {
    messages: [],
    query: "q",
    pool: [],
    iteration: 0,
    chosen: null,
    rejected: null,
    critiqueText: null,
    gradientText: null,
    history: [],
    usage: emptyUsage(),
    best: null,
    stopReason: null,
    stoppedAt: null,
    settings: null,
    ...patch,
  };
}

const ctx = (settings: TpoContextInput) => parseTpoContext({ depth: 5, ...settings });

describe("the next iteration's estimate", () => {
  it("is nothing before any record", () => {
    expect(nextIterationEstimate([])).toEqual({ requests: 0, tokens: 0, costUsd: 0 });
  });

  it("after the first sampling: its requests plus critique and gradient, twice its tokens", () => {
    expect(nextIterationEstimate([record(0, 1, usage(1, 30, 70))])).toEqual({
      requests: 3,
      tokens: 200,
      costUsd: 0,
    });
  });

  it("after an iteration: what the last one cost, prompt and completion tokens together", () => {
    const history = [record(0, 1, usage(1, 30, 70)), record(1, 2, usage(5, 400, 11))];
    expect(nextIterationEstimate(history)).toEqual({ requests: 5, tokens: 411, costUsd: 0 });
  });
});

describe("the budget rule", () => {
  // Spent so far: 4 requests, 300 tokens; the last iteration (1) cost 3 requests and 250 tokens.
  const history = [record(0, 1, usage(1, 20, 30)), record(1, 2, usage(3, 200, 50))];
  const spent = usage(4, 220, 80);

  it("lets an iteration start that lands exactly on the request budget, not one that passes it", () => {
    expect(wouldPassBudget(spent, history, ctx({ budgetRequests: 7 }))).toBe(false);
    expect(wouldPassBudget(spent, history, ctx({ budgetRequests: 6 }))).toBe(true);
  });

  it("lets an iteration start that lands exactly on the token budget, not one that passes it", () => {
    expect(wouldPassBudget(spent, history, ctx({ budgetTokens: 550 }))).toBe(false);
    expect(wouldPassBudget(spent, history, ctx({ budgetTokens: 549 }))).toBe(true);
  });

  it("counts prompt and completion tokens, each", () => {
    const promptHeavy = usage(4, 299, 1);
    const completionHeavy = usage(4, 1, 299);
    for (const u of [promptHeavy, completionHeavy]) {
      expect(wouldPassBudget(u, history, ctx({ budgetTokens: 550 }))).toBe(false);
      expect(wouldPassBudget(u, history, ctx({ budgetTokens: 549 }))).toBe(true);
    }
  });

  it("applies each budget on its own: either one passed stops the run", () => {
    expect(wouldPassBudget(spent, history, ctx({ budgetTokens: 10_000, budgetRequests: 6 }))).toBe(true);
    expect(wouldPassBudget(spent, history, ctx({ budgetTokens: 549, budgetRequests: 100 }))).toBe(true);
    expect(wouldPassBudget(spent, history, ctx({ budgetTokens: 550, budgetRequests: 7 }))).toBe(false);
    expect(wouldPassBudget(spent, history, ctx({}))).toBe(false);
  });

  it("a budget of 0 stops after the first sampling", () => {
    const first = [record(0, 1, usage(1, 0, 0))];
    expect(wouldPassBudget(usage(1, 0, 0), first, ctx({ budgetRequests: 0 }))).toBe(true);
    expect(wouldPassBudget(usage(0, 0, 0), [], ctx({ budgetTokens: 0 }))).toBe(false);
  });
});

describe("the dollar budget", () => {
  const priced = (requests: number, prompt: number, completion: number, costUsd: number): Usage => ({
    ...usage(requests, prompt, completion),
    costUsd,
  });
  // Spent so far: $0.30; the last iteration (1) cost $0.25; iteration 0 cost $0.05.
  const history = [record(0, 1, priced(1, 20, 30, 0.05)), record(1, 2, priced(3, 200, 50, 0.25))];
  const spent = priced(4, 220, 80, 0.3);

  it("estimates the next iteration's cost as the token budget does: the last one's, twice the first sampling's", () => {
    expect(nextIterationEstimate(history).costUsd).toBe(0.25);
    expect(nextIterationEstimate(history.slice(0, 1)).costUsd).toBe(0.1);
  });

  it("lets an iteration start that lands exactly on the budget, not one that passes it by a cent", () => {
    expect(wouldPassCost(spent, history, ctx({ budgetUsd: 0.55 }))).toBe(false);
    expect(wouldPassCost(spent, history, ctx({ budgetUsd: 0.54 }))).toBe(true);
    expect(wouldPassCost(spent, history, ctx({}))).toBe(false);
  });

  it("stops the run with its own reason, after the token and request budgets", () => {
    const pool = [{ ...makeCandidate("a", 0, "sample"), score: 3 }];
    const at = (settings: TpoContextInput) =>
      stopReasonOf(state({ pool, history, iteration: 1, usage: spent }), ctx(settings));
    expect(at({ budgetUsd: 0.54 })).toBe("cost");
    expect(at({ budgetUsd: 0.54, budgetRequests: 0 })).toBe("budget");
    expect(at({ budgetUsd: 0.55 })).toBeNull();
  });

  it("without prices is refused, naming the setting, rather than guessed", () => {
    expect(() => wouldPassCost(usage(4, 220, 80), history, ctx({ budgetUsd: 1 }))).toThrow(
      /budgetUsd.*--prices/,
    );
  });
});

describe("patience", () => {
  it("counts the iterations in a row, up to the last, that did not raise the best score", () => {
    const best = (...scores: (number | null)[]) => scores.map((s, k) => record(k, s));
    expect(iterationsWithoutGain(best(1))).toBe(0);
    expect(iterationsWithoutGain(best(1, 2))).toBe(0);
    expect(iterationsWithoutGain(best(1, 1))).toBe(1);
    expect(iterationsWithoutGain(best(1, 2, 2, 2))).toBe(2);
    expect(iterationsWithoutGain(best(3, 3, 4, 4))).toBe(1);
    expect(iterationsWithoutGain(best(5, 4))).toBe(1);
    // An iteration with no score yet gained nothing; the first score after none is a gain.
    expect(iterationsWithoutGain(best(null, null))).toBe(1);
    expect(iterationsWithoutGain(best(null, 1))).toBe(0);
    expect(iterationsWithoutGain([])).toBe(0);
  });
});

describe("why a run stops", () => {
  const pool = [
    { ...makeCandidate("a", 0, "sample"), score: 3 },
    { ...makeCandidate("b", 0, "sample"), score: 7 },
  ];

  it("depth ends every run, and mode bon at once", () => {
    expect(stopReasonOf(state({ pool, iteration: 5 }), ctx({}))).toBe("depth");
    expect(stopReasonOf(state({ pool, iteration: 6 }), ctx({}))).toBe("depth");
    expect(stopReasonOf(state({ pool, iteration: 4 }), ctx({}))).toBeNull();
    expect(stopReasonOf(state({ pool, iteration: 0 }), ctx({ mode: "bon" }))).toBe("depth");
    expect(stopReasonOf(state({ pool, iteration: 0 }), ctx({ mode: "revision" }))).toBeNull();
  });

  it("the target stops a run whose best score equals it, not one just under it", () => {
    expect(stopReasonOf(state({ pool }), ctx({ targetScore: 7 }))).toBe("target");
    expect(stopReasonOf(state({ pool }), ctx({ targetScore: 6.5 }))).toBe("target");
    expect(stopReasonOf(state({ pool }), ctx({ targetScore: 7.01 }))).toBeNull();
    // Only the best counts, not the worst.
    expect(stopReasonOf(state({ pool }), ctx({ targetScore: 4 }))).toBe("target");
    expect(stopReasonOf(state({ pool: [] }), ctx({ targetScore: -100 }))).toBeNull();
  });

  it("patience stops at K iterations without gain, not K - 1", () => {
    const history = [record(0, 1), record(1, 1), record(2, 1)];
    expect(stopReasonOf(state({ pool, history, iteration: 2 }), ctx({ patience: 2 }))).toBe("patience");
    expect(stopReasonOf(state({ pool, history, iteration: 2 }), ctx({ patience: 3 }))).toBeNull();
  });

  it("checks depth, then target, then patience, then budget", () => {
    const history = [record(0, 7, usage(1, 0, 0)), record(1, 7, usage(3, 0, 0))];
    const all = { targetScore: 7, patience: 1, budgetRequests: 0 };
    const at = (iteration: number, settings: TpoContextInput) =>
      stopReasonOf(state({ pool, history, iteration, usage: usage(4, 0, 0) }), ctx(settings));
    expect(at(5, all)).toBe("depth");
    expect(at(1, all)).toBe("target");
    expect(at(1, { ...all, targetScore: undefined })).toBe("patience");
    expect(at(1, { budgetRequests: 0 })).toBe("budget");
  });

  it("is written by decide with where it stopped, and nothing while the run goes on", () => {
    const decide = makeDecideNode();
    expect(decide(state({ pool, iteration: 5 }), { context: { depth: 5 } })).toEqual({
      stopReason: "depth",
      stoppedAt: 5,
    });
    expect(decide(state({ pool, iteration: 1 }), { context: { depth: 5 } })).toEqual({});
  });
});

describe("a run that lands exactly on its request budget", () => {
  async function run(budgetRequests: number) {
    const policy = new ScriptedChatModel(uniqueResponder());
    const graph = createTpoGraph({ policy, rewardModel: new RecordingRewardModel() });
    const out = await graph.invoke(
      { query: "q" },
      { context: { width: 2, depth: 5, sampling: "n", budgetRequests } },
    );
    return { out, requests: policy.calls.length };
  }

  // generate: 1 request; each iteration 3 (critique, gradient, update with n): 1, 4, 7, 10, …
  it("runs the iteration that spends the last request of the budget", async () => {
    const { out, requests } = await run(7);
    expect(out).toMatchObject({ stopReason: "budget", stoppedAt: 2 });
    expect(requests).toBe(7);
    expect(out.usage.modelRequests).toBe(7);
  });

  it("does not start one that would pass it by one request", async () => {
    const { out, requests } = await run(6);
    expect(out).toMatchObject({ stopReason: "budget", stoppedAt: 1 });
    expect(requests).toBe(4);
  });
});
