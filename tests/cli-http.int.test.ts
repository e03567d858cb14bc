import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killChildren, removeTempDirs, runCliInProcess, tempDir } from "./helpers/cli.js";
import { readRecords, samplePromptsPath } from "./helpers/records.js";
import { mentions, simServerEnv, useSimServer } from "./helpers/sim-http.js";

const sim = useSimServer();

afterEach(() => {
  killChildren();
  removeTempDirs();
});

/** The models of the simulated server, as a user sets them: the policy over OpenAI's API, a TEI reward server. */
function httpEnv(overrides: Record<string, string> = {}): Record<string, string | undefined> {
  return simServerEnv(sim.server, { TPO_REWARD_KIND: "tei", TPO_MAX_RETRIES: "0", ...overrides });
}

describe("tpo over HTTP, against the simulated server", () => {
  it("runs a batch whose records count every request the server saw", async () => {
    const out = join(tempDir(), "out.jsonl");
    const result = await runCliInProcess(
      ["batch", samplePromptsPath(), "--out", out, "--limit", "20", "--concurrency", "4"],
      { env: httpEnv() },
    );
    expect(result.code).toBe(0);
    const records = readRecords(out);
    expect(records).toHaveLength(20);
    expect(records.every((r) => !r.error && r.history!.length === 3)).toBe(true);
    expect(records[0].models).toEqual({
      baseUrl: `${sim.server.url}/v1`,
      model: "tpo-sim",
      rewardUrl: sim.server.url,
      rewardKind: "tei",
      simulated: "true", // the server's model list says it is the simulated one
    });
    const requests = records.reduce((s, r) => s + r.usage!.modelRequests, 0);
    expect(sim.server.stats.count("/v1/chat/completions")).toBe(requests);
    expect(result.stdout).toContain("Simulated world");
  });

  it("names the failing step and endpoint: the policy server", async () => {
    sim.server.setFaults([{ kind: "status", status: 400, message: "bad request" }]);
    const result = await runCliInProcess(["run", "How do I brew green tea?"], { env: httpEnv() });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(`the generate step failed (${sim.server.url}/v1/chat/completions)`);
  });

  it("names the failing step and endpoint: the reward server", async () => {
    sim.server.setFaults([{ kind: "status", status: 400, path: "/predict", message: "bad request" }]);
    const result = await runCliInProcess(["run", "How do I brew green tea?"], { env: httpEnv() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `the reward step failed (tei reward server at ${sim.server.url}/predict)`,
    );
  });

  it("records a query whose reward requests fail, with the step that failed, and goes on with the others", async () => {
    const dir = tempDir();
    const input = join(dir, "prompts.json");
    const doomed = "Why is the sky blue? (doomed)";
    writeFileSync(input, JSON.stringify(["How do I brew green tea?", doomed, "How do tides work?"]));
    sim.server.setFaults([
      { kind: "status", status: 400, path: "/predict", message: "bad request", when: mentions("(doomed)") },
    ]);
    const out = join(dir, "out.jsonl");
    const result = await runCliInProcess(["batch", input, "--out", out, "--depth", "1", "--quiet"], {
      env: httpEnv(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("1 of 3 queries failed");
    const records = readRecords(out);
    expect(records).toHaveLength(3);
    const failed = records.filter((r) => r.error);
    expect(failed.map((r) => r.query)).toEqual([doomed]);
    expect(failed[0].error).toMatchObject({ step: "reward" });
    expect(failed[0].error!.message).toContain(
      `the reward step failed (tei reward server at ${sim.server.url}/predict)`,
    );
    expect(records.filter((r) => !r.error).every((r) => r.history!.length === 2)).toBe(true);
  });
});
