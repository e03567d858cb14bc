import { describe, expect, it } from "vitest";
import { TpoConfigError } from "../src/errors.js";
import { pricesFromSettings, SIM_MODEL_NAMES } from "../src/from-env/prices-from-settings.js";
import { createTpoGraph } from "../src/graph/builder.js";
import { costOf, parsePriceList, priceFromList, type RolePrices } from "../src/models/prices.js";
import { createSimWorld } from "../src/sim/index.js";
import { summarizeRun } from "../src/adapters/run-summary.js";
import { usageOf } from "../src/server/completion.js";
import { pricedUsage } from "../src/graph/node-records.js";
import { cacheSavedLine } from "../src/cli/cache-option.js";
import { parseTpoContext } from "../src/settings/run-settings.js";

/**
 * Money figures: a price list in LiteLLM's format, the cost of token counts at a price (cached
 * input at its own price), each node's cost in a run, and the refusals (not JSON, a model the
 * list lacks, a negative price) that keep a cost from being a guess.
 */

// An excerpt of LiteLLM's model_prices_and_context_window.json, with its keys as they are.
const LITELLM = JSON.stringify({
  sample_spec: { input_cost_per_token: 0, mode: "one of: chat, embedding, …" },
  "gpt-4o": {
    input_cost_per_token: 2.5e-6,
    output_cost_per_token: 1e-5,
    cache_read_input_token_cost: 1.25e-6,
    litellm_provider: "openai",
    mode: "chat",
  },
  "cohere/rerank-v3.5": {
    input_cost_per_query: 0.002,
    input_cost_per_token: 0,
    output_cost_per_token: 0,
    mode: "rerank",
  },
  "my-reward": { input_cost_per_request: 0.0005 },
  "embed-only": { input_cost_per_token: 1e-7, mode: "embedding" },
  "1024-x-1024/dall-e-2": { input_cost_per_pixel: 1.9e-8, mode: "image_generation" },
});

describe("a price list in LiteLLM's format", () => {
  const list = parsePriceList(LITELLM, "prices.json");

  it("reads a chat model's input, cached input and output prices", () => {
    expect(
      priceFromList(list, { role: "policy", name: "gpt-4o", setting: "TPO_MODEL" }, "prices.json"),
    ).toEqual({
      inputPerToken: 2.5e-6,
      cachedInputPerToken: 1.25e-6,
      outputPerToken: 1e-5,
      perRequest: 0,
    });
  });

  it("prices a reward model per request or per rerank query", () => {
    const reward = (name: string) => priceFromList(list, { role: "reward", name, setting: "x" }, "p");
    expect(reward("cohere/rerank-v3.5").perRequest).toBe(0.002);
    expect(reward("my-reward").perRequest).toBe(0.0005);
  });

  it("refuses a reward model priced per token: reward servers do not report tokens", () => {
    expect(() => priceFromList(list, { role: "reward", name: "embed-only", setting: "x" }, "p")).toThrow(
      /"embed-only" per token.*input_cost_per_request/,
    );
  });

  it("names the model that the list lacks, and the setting that names it", () => {
    expect(() =>
      priceFromList(
        list,
        { role: "critic", name: "llama-70b", setting: "TPO_CRITIC_MODEL (--critic-model)" },
        "p.json",
      ),
    ).toThrow(
      'The prices file p.json has no model "llama-70b" (the critic, TPO_CRITIC_MODEL (--critic-model))',
    );
  });

  it("refuses a chat model without an output price", () => {
    expect(() => priceFromList(list, { role: "policy", name: "embed-only", setting: "x" }, "p")).toThrow(
      /no output_cost_per_token/,
    );
  });

  it("refuses a file that is not JSON, and a negative price, in one line each", () => {
    for (const [text, message] of [
      ["{ not json", /p\.json is not JSON/],
      ['["gpt-4o"]', /not an object of model names/],
      [
        '{"m": {"input_cost_per_token": -1e-6}}',
        /model "m" input_cost_per_token -0\.000001: a price is a number of 0 or more/,
      ],
      ['{"m": {"output_cost_per_token": "2e-6"}}', /output_cost_per_token "2e-6"/],
    ] as const) {
      const error = (() => {
        try {
          parsePriceList(text, "p.json");
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(TpoConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain("\n");
    }
  });
});

describe("the cost of token counts", () => {
  const price = {
    inputPerToken: 2.5e-6,
    cachedInputPerToken: 1.25e-6,
    outputPerToken: 1e-5,
    perRequest: 0.001,
  };

  it("prices uncached input, cached input, output and requests each at their own price", () => {
    // 10 000 prompt tokens of which 4 000 cached, 2 000 completion tokens, 3 requests:
    // 6 000 × $2.50/M = $0.015; 4 000 × $1.25/M = $0.005; 2 000 × $10/M = $0.02; 3 × $0.001 = $0.003.
    const counts = { requests: 3, promptTokens: 10_000, cachedPromptTokens: 4_000, completionTokens: 2_000 };
    expect(costOf(counts, price)).toBeCloseTo(0.043, 12);
  });

  it("prices cached input at the input price when the model has no cached price", () => {
    const { cachedInputPerToken: _none, ...uncachedPrice } = price;
    const counts = { requests: 0, promptTokens: 10_000, cachedPromptTokens: 4_000, completionTokens: 0 };
    expect(costOf(counts, uncachedPrice)).toBeCloseTo(0.025, 12);
  });
});

describe("prices from the settings", () => {
  const read = (text: string) => () => text;

  it("gives no prices, so no money figures, when none were given", () => {
    expect(pricesFromSettings({ backend: "sim" })).toBeUndefined();
  });

  it("looks each role's model up in the file, and the shortcut flags win over it", () => {
    const settings = {
      model: "gpt-4o",
      baseUrl: "http://h",
      rewardUrl: "http://r",
      rewardModel: "my-reward",
      prices: "p.json",
    };
    const prices = pricesFromSettings(settings, read(LITELLM))!;
    expect(prices.policy.inputPerToken).toBe(2.5e-6);
    expect(prices.reward.perRequest).toBe(0.0005);
    const shortcut = pricesFromSettings(
      { ...settings, inputPrice: "0.5", outputPrice: "1.5" },
      read(LITELLM),
    )!;
    expect(shortcut.critic).toEqual({ inputPerToken: 0.5e-6, outputPerToken: 1.5e-6, perRequest: 0 });
    expect(shortcut.reward.perRequest).toBe(0.0005);
  });

  it("names the simulated world's models as the docs say", () => {
    const file = JSON.stringify({
      [SIM_MODEL_NAMES.chat]: { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
      [SIM_MODEL_NAMES.reward]: { input_cost_per_request: 1e-4 },
    });
    expect(pricesFromSettings({ backend: "sim", prices: "p.json" }, read(file))?.reward.perRequest).toBe(
      1e-4,
    );
  });

  it("refuses a run with a model left unpriced, a negative shortcut, and the policy as judge", () => {
    expect(() => pricesFromSettings({ backend: "sim", inputPrice: "1", outputPrice: "2" })).toThrow(
      /reward has no price: give --reward-price/,
    );
    expect(() =>
      pricesFromSettings({ backend: "sim", inputPrice: "-1", outputPrice: "2", rewardPrice: "0" }),
    ).toThrow(
      'TPO_INPUT_PRICE (--input-price) must be a number of 0 or more (USD per million tokens), got "-1".',
    );
    expect(() => pricesFromSettings({ backend: "sim", inputPrice: "1", rewardPrice: "0" })).toThrow(
      /go together/,
    );
    expect(() =>
      pricesFromSettings({
        model: "m",
        baseUrl: "http://h",
        inputPrice: "1",
        outputPrice: "1",
        rewardPrice: "0",
      }),
    ).toThrow(/need a reward server/);
    expect(() =>
      pricesFromSettings({ backend: "sim", prices: "missing.json" }, () => {
        throw new Error("ENOENT");
      }),
    ).toThrow(/Cannot read the prices file missing.json/);
  });
});

describe("a priced run", () => {
  // $1 per million input tokens, $0.25 per million cached, $4 per million output; $0.001 a score request.
  const prices: RolePrices = {
    policy: { inputPerToken: 1e-6, cachedInputPerToken: 0.25e-6, outputPerToken: 4e-6, perRequest: 0 },
    critic: { inputPerToken: 1e-6, cachedInputPerToken: 0.25e-6, outputPerToken: 4e-6, perRequest: 0 },
    reward: { inputPerToken: 0, outputPerToken: 0, perRequest: 0.001 },
  };

  async function run(withPrices: RolePrices | undefined) {
    const world = createSimWorld(3);
    const graph = createTpoGraph({ ...world, prices: withPrices });
    return graph.invoke(
      { query: "Explain how a hash map handles collisions." },
      { context: { width: 3, depth: 2, seed: 1, criticLayout: "conversation" } },
    );
  }

  it("costs each node its tokens at its model's price, and the run the sum, to the cent", async () => {
    const { usage, history } = await run(prices);
    const nodes = usage.byNode!;
    expect(Object.keys(nodes).sort()).toEqual(["critique", "generate", "gradient", "reward", "update"]);
    const chat = ["generate", "critique", "gradient", "update"].map((n) => nodes[n]);
    const prompt = chat.reduce((s, n) => s + n.promptTokens, 0);
    const cached = chat.reduce((s, n) => s + n.cachedPromptTokens, 0);
    const completion = chat.reduce((s, n) => s + n.completionTokens, 0);
    // The per-node counts add up to the run's own, and the critic's conversation was read from cache.
    expect([prompt, cached, completion]).toEqual([
      usage.promptTokens,
      usage.cachedPromptTokens,
      usage.completionTokens,
    ]);
    expect(cached).toBeGreaterThan(0);
    expect(nodes.reward.requests).toBe(usage.rewardRequests);
    for (const name of ["generate", "critique", "gradient", "update"]) {
      const n = nodes[name];
      const expected =
        (n.promptTokens - n.cachedPromptTokens) * 1e-6 +
        n.cachedPromptTokens * 0.25e-6 +
        n.completionTokens * 4e-6;
      expect(n.costUsd).toBeCloseTo(expected, 10);
    }
    expect(nodes.reward.costUsd).toBeCloseTo(usage.rewardRequests * 0.001, 10);
    const total =
      (prompt - cached) * 1e-6 + cached * 0.25e-6 + completion * 4e-6 + usage.rewardRequests * 0.001;
    expect(usage.costUsd).toBeCloseTo(total, 10);
    // Each iteration's record carries its own cost, and the records add up to the run's.
    expect(history.every((r) => typeof r.usage.costUsd === "number")).toBe(true);
    expect(history.reduce((s, r) => s + r.usage.costUsd!, 0)).toBeCloseTo(usage.costUsd!, 10);
  });

  it("prices what the persistent cache answered as money saved, within the node's cost", () => {
    // The update node: 1 000 prompt tokens (200 cached by the server), 400 completion; the cache
    // answered 300 prompt and 100 completion tokens of them, in 1 request of 3.
    const own = {
      modelRequests: 3,
      promptTokens: 1000,
      cachedPromptTokens: 200,
      completionTokens: 400,
      fromCache: { modelRequests: 1, promptTokens: 300, cachedPromptTokens: 0, completionTokens: 100 },
    };
    const usage = pricedUsage("update", own, prices);
    // 800 × $1/M + 200 × $0.25/M + 400 × $4/M = $0.0008 + $0.00005 + $0.0016
    expect(usage.costUsd).toBeCloseTo(0.00245, 12);
    // 300 × $1/M + 100 × $4/M = $0.0003 + $0.0004
    expect(usage.fromCache?.costUsd).toBeCloseTo(0.0007, 12);
    expect(cacheSavedLine(usage.fromCache)).toMatch(/none of them was sent, \$0\.0007 saved$/);
    expect(pricedUsage("update", own, undefined).fromCache).not.toHaveProperty("costUsd");
  });

  it("reaches the MCP tool's and the LangChain tool's summary, and the server's usage", async () => {
    const priced = await run(prices);
    const context = parseTpoContext({ width: 3, depth: 2 });
    expect(summarizeRun(priced, context, 1).cost.costUsd).toBe(priced.usage.costUsd);
    expect(usageOf(priced).cost_usd).toBe(priced.usage.costUsd);
    const unpriced = await run(undefined);
    expect(summarizeRun(unpriced, context, 1).cost).not.toHaveProperty("costUsd");
    expect(usageOf(unpriced)).not.toHaveProperty("cost_usd");
  });

  it("says no money at all without prices, and counts the same tokens", async () => {
    const [unpriced, priced] = [await run(undefined), await run(prices)];
    expect(unpriced.usage.costUsd).toBeUndefined();
    expect(unpriced.usage.byNode?.generate.costUsd).toBeUndefined();
    expect(unpriced.usage.byNode?.generate.promptTokens).toBe(priced.usage.byNode?.generate.promptTokens);
  });

  it("stops with reason cost before an iteration that would pass the dollar budget", async () => {
    const world = createSimWorld(3);
    const graph = createTpoGraph({ ...world, prices });
    const full = await run(prices);
    const first = full.history[0].usage.costUsd!;
    // Enough for the first sampling and less than its estimate of the next iteration (twice it).
    const out = await graph.invoke(
      { query: "Explain how a hash map handles collisions." },
      { context: { width: 3, depth: 2, seed: 1, criticLayout: "conversation", budgetUsd: first * 2.5 } },
    );
    expect(out).toMatchObject({ stopReason: "cost", stoppedAt: 0 });
    expect(out.usage.costUsd).toBeCloseTo(first, 10);
  });
});
