import { modelsFromEnv } from "../src/from-env/models-from-env.js";
import { HumanMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import {
  createJudgeRewardModel,
  createOpenAIChatModel,
  createTpoGraph,
  startSimServer,
} from "../src/index.js";
import type { SimServer } from "../src/sim/server.js";
import { aspectsOf, simReward } from "../src/sim/world.js";

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const QUERY = "How do I take care of a wooden table?";

describe("the simulated server as an LLM judge", () => {
  it.each(["functionCalling", "jsonSchema"] as const)(
    "rates responses as the simulated reward does, through structured output (%s)",
    async (method) => {
      server = await startSimServer();
      const judge = createJudgeRewardModel(
        createOpenAIChatModel({ baseUrl: `${server.url}/v1` }, "tpo-sim"),
        {
          method,
        },
      );
      const aspects = aspectsOf(QUERY).map((a) => a.phrase);
      const responses = ["A plain answer.", aspects.slice(0, 3).join(". "), aspects.join(". ")];
      const scores = await judge.score(
        responses.map((response) => ({ messages: [new HumanMessage(QUERY)], response })),
      );
      const rewards = responses.map((r) => simReward(QUERY, r));
      expect(rewards[0]).toBeLessThan(rewards[1]);
      expect(rewards[1]).toBeLessThan(rewards[2]);
      expect(scores[0]).toBeLessThan(scores[1]);
      expect(scores[1]).toBeLessThan(scores[2]);
    },
  );

  it("lets a graph with only a policy configured run to the end, the policy judging", async () => {
    server = await startSimServer();
    const saved = { ...process.env };
    try {
      delete process.env.TPO_BACKEND;
      delete process.env.TPO_REWARD_URL;
      process.env.OPENAI_BASE_URL = `${server.url}/v1`;
      process.env.TPO_MODEL = "tpo-sim";
      const out = await createTpoGraph(modelsFromEnv()).invoke(
        { query: QUERY },
        { context: { width: 3, depth: 1 } },
      );
      expect(out.pool.every((c) => c.score !== null && c.score >= 1 && c.score <= 10)).toBe(true);
      expect(out.best?.score).toBe(Math.max(...out.pool.map((c) => c.score!)));
    } finally {
      for (const key of ["OPENAI_BASE_URL", "TPO_MODEL", "TPO_BACKEND", "TPO_REWARD_URL"]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});
