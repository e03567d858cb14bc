import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { modelSettings } from "../src/cli/flags.js";
import { startSimServer, type SimServer } from "../src/sim/server.js";
import { killChildren, runCliInProcess } from "./helpers/cli.js";

/** A reward server that takes requests and never answers: the timeout must end each attempt. */
let hanging: Server;
let hangingUrl: string;
let policy: SimServer;

beforeAll(async () => {
  hanging = createServer((req) => req.resume());
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  policy = await startSimServer({ port: 0, host: "127.0.0.1" });
});

afterAll(async () => {
  hanging.closeAllConnections();
  await new Promise((resolve) => hanging.close(resolve));
  await policy.close();
});

afterEach(() => killChildren());

function env(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    TPO_BACKEND: undefined,
    OPENAI_BASE_URL: `${policy.url}/v1`,
    TPO_MODEL: "tpo-sim",
    TPO_REWARD_URL: hangingUrl,
    TPO_REWARD_KIND: "tei",
    TPO_MAX_RETRIES: "0",
    ...extra,
  };
}

describe("the reward client's timeout", () => {
  it.each([
    ["--timeout-ms", ["--timeout-ms", "300"], {}, 300],
    ["TPO_TIMEOUT_MS", [], { TPO_TIMEOUT_MS: "300" }, 300],
    [
      "--reward-timeout-ms over --timeout-ms",
      ["--timeout-ms", "60000", "--reward-timeout-ms", "250"],
      {},
      250,
    ],
    ["TPO_REWARD_TIMEOUT_MS", [], { TPO_REWARD_TIMEOUT_MS: "250" }, 250],
  ])(
    "follows %s: a hanging reward server fails the run in seconds, naming the timeout",
    async (_how, flags, extra, ms) => {
      const started = Date.now();
      const result = await runCliInProcess(
        ["run", "How do I brew green tea?", "--width", "2", "--depth", "0", ...flags],
        {
          env: env(extra),
          timeoutMs: 30_000,
        },
      );
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/the reward step failed/);
      expect(result.stderr).toContain(`no response within ${ms} ms`);
      // Four attempts of `ms` and the backoff between them (at most 0.5 + 1 + 2 s), far below 4 × 60 s.
      expect(Date.now() - started).toBeLessThan(20_000);
    },
  );

  it("takes a whole number of milliseconds", () => {
    expect(modelSettings({ rewardTimeoutMs: "1500" }, {})).toMatchObject({ rewardTimeoutMs: 1500 });
    expect(modelSettings({}, { TPO_REWARD_TIMEOUT_MS: "700" })).toMatchObject({ rewardTimeoutMs: 700 });
    expect(() => modelSettings({ rewardTimeoutMs: "soon" }, {})).toThrow(/--reward-timeout-ms/);
    expect(() => modelSettings({}, { TPO_REWARD_TIMEOUT_MS: "-5" })).toThrow(/TPO_REWARD_TIMEOUT_MS/);
  });
});
