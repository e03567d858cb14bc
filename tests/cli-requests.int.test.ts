import { afterEach, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../src/sim/server.js";
import { killChildren, runCliInProcess } from "./helpers/cli.js";

let server: SimServer | undefined;

afterEach(async () => {
  killChildren();
  await server?.close();
  server = undefined;
});

describe("requests per query", () => {
  it("tpo run D2-N5 with a vLLM pooling reward makes 7 chat requests and 15 pooling requests, one per candidate", async () => {
    server = await startSimServer({ port: 0 });
    const result = await runCliInProcess(
      ["run", "How do I take care of a wooden table?", "--depth", "2", "--width", "5"],
      {
        env: {
          TPO_BACKEND: "openai",
          OPENAI_BASE_URL: `${server.url}/v1`,
          OPENAI_API_KEY: "test",
          TPO_MODEL: "tpo-sim",
          TPO_REWARD_URL: server.url,
          TPO_REWARD_KIND: "vllm-pooling",
        },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    // generate, then critique, gradient and update per iteration; the pool's 15 distinct candidates scored once each.
    expect(server.stats.count("/v1/chat/completions")).toBe(1 + 3 * 2);
    expect(server.stats.count("/pooling")).toBe(5 * 3);
    expect(server.stats.log).toHaveLength(22);
    expect(server.stats.log.every((r) => r.arrivedAt! <= r.finishedAt!)).toBe(true);
  });
});
