import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { describeModels } from "../src/from-env/model-identities.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import { killChildren, removeTempDirs, runCli, runCliInProcess, tempDir } from "./helpers/cli.js";
import { readRecords } from "./helpers/records.js";
import { killMcpChildren, startMcpChild } from "./helpers/mcp-stdio.js";
import { oneFailingQuery, simServerEnv, useSimServer } from "./helpers/sim-http.js";

/** Credentials inside a URL (`http://user:secret@host`) are echoed nowhere: records, errors, logs. */
const sim = useSimServer();
let withCredentials: string;

beforeAll(() => {
  withCredentials = sim.server.url.replace("http://", "http://tpo-user:s3cr3t-pw@");
});

afterEach(() => {
  killChildren();
  killMcpChildren();
  removeTempDirs();
});

function env(): Record<string, string | undefined> {
  return {
    TPO_BACKEND: undefined,
    OPENAI_BASE_URL: `${withCredentials}/v1`,
    TPO_MODEL: "tpo-sim",
    TPO_REWARD_URL: withCredentials,
    TPO_REWARD_KIND: "tei",
    TPO_MAX_RETRIES: "0",
  };
}

describe("credentials in a URL", () => {
  it("are redacted in batch records, their errors and what the CLI prints", async () => {
    const dir = tempDir();
    const input = oneFailingQuery(sim.server, dir);
    const out = join(dir, "out.jsonl");
    const result = await runCliInProcess(["batch", input, "--out", out, "--depth", "0", "--width", "2"], {
      env: env(),
    });
    expect(result.code).toBe(1);
    const records = readRecords(out);
    expect(records).toHaveLength(2);
    const masked = sim.server.url.replace("http://", "http://tpo-user:***@");
    expect(records[0].models).toMatchObject({ baseUrl: `${masked}/v1`, rewardUrl: masked });
    expect(records.find((r) => r.id === "bad")?.error?.message).toContain(`${masked}/v1/chat/completions`);
    for (const text of [readFileSync(out, "utf8"), result.stdout, result.stderr]) {
      expect(text).not.toContain("s3cr3t-pw");
    }

    sim.server.setFaults([{ kind: "status", status: 400, message: "bad request" }]);
    const run = await runCliInProcess(["run", "How do I brew green tea?"], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(masked);
    expect(run.stderr + run.stdout).not.toContain("s3cr3t-pw");
  });

  it("are redacted in the library's clients' names and errors", async () => {
    const policy = createOpenAIChatModel({ baseUrl: `${withCredentials}/v1`, maxRetries: 0 }, "tpo-sim");
    expect(policy.endpoint).not.toContain("s3cr3t-pw");
    const reward = createHttpRewardModel({ url: withCredentials, kind: "tei", retry: { maxRetries: 0 } });
    expect(reward.name).not.toContain("s3cr3t-pw");
    sim.server.setFaults([{ kind: "status", status: 400, path: "/predict", message: "bad request" }]);
    const { HumanMessage } = await import("@langchain/core/messages");
    const error = await reward
      .score([{ messages: [new HumanMessage("q")], response: "a" }])
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("tpo-user:***@");
    expect((error as Error).message).not.toContain("s3cr3t-pw");
    expect(describeModels({ baseUrl: `${withCredentials}/v1`, rewardUrl: withCredentials })).toEqual({
      baseUrl: `${sim.server.url.replace("http://", "http://tpo-user:***@")}/v1`,
      rewardUrl: sim.server.url.replace("http://", "http://tpo-user:***@"),
    });
  });
});

describe("API keys with the OpenAI SDK's log on (OPENAI_LOG=debug)", () => {
  const KEY = "sk-debug-log-secret-0123456789";
  const logEnv = () => simServerEnv(sim.server, { OPENAI_API_KEY: KEY, OPENAI_LOG: "debug" });

  it("stay out of tpo run's answer and its log, which goes to standard error, keys hidden", async () => {
    const run = await runCli(["run", "How do I brew green tea?", "--depth", "0", "--width", "2"], {
      env: logEnv(),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain("sending request");
    expect(run.stderr).toContain("sending request");
    expect(run.stdout + run.stderr).not.toContain(KEY);
    expect(run.stdout + run.stderr).not.toContain(KEY.slice(0, 12));
  });

  it("stay out of tpo mcp's standard error, and its standard output carries protocol messages only", async () => {
    const mcp = await startMcpChild([], logEnv());
    const result = await mcp.client.callTool({
      name: "tpo_optimize",
      arguments: { query: "How do I brew green tea?", width: 2, depth: 0 },
    });
    expect(result.isError).toBeFalsy();
    expect(await mcp.close()).toBe(0);
    expect(mcp.transport.nonProtocolOutput()).toEqual([]);
    expect(mcp.transport.stderr).toContain("sending request");
    expect(mcp.transport.stderr).not.toContain(KEY.slice(0, 12));
  });
});
