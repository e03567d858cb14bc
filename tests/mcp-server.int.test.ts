import type { CallToolResult, ProgressNotification } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../src/sim/server.js";
import { killChildren, runCliInProcess, waitUntil } from "./helpers/cli.js";
import { killMcpChildren, startMcpChild, type McpChild } from "./helpers/mcp-stdio.js";
import { simServerEnv } from "./helpers/sim-http.js";

const QUERY = "How do I take care of a wooden table?";
const API_KEY = "sk-mcp-test-secret-0123456789";
const CHAT = "/v1/chat/completions";

let sim: SimServer;
let mcp: McpChild | undefined;

beforeAll(async () => {
  // No prefix cache: cached-token counts then depend on the query alone, not on earlier runs.
  sim = await startSimServer({ prefixCache: false });
});

afterEach(async () => {
  sim.setFaults([]);
  sim.setLatency({});
  if (mcp) {
    const { transport } = mcp;
    // Closing standard input ends the server, and the process with it.
    expect(await mcp.close()).toBe(0);
    // Whatever the test did, standard output carried protocol messages and nothing else.
    expect(transport.nonProtocolOutput()).toEqual([]);
  }
  mcp = undefined;
  killMcpChildren();
  killChildren();
});

afterAll(async () => {
  await sim.close();
});

const env = () => simServerEnv(sim, { OPENAI_API_KEY: API_KEY });

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

async function call(
  args: Record<string, unknown>,
  options: Parameters<McpChild["client"]["callTool"]>[2] = {},
) {
  return (await mcp!.client.callTool(
    { name: "tpo_optimize", arguments: args },
    undefined,
    options,
  )) as CallToolResult;
}

describe("tpo mcp over stdio", () => {
  it("lists tpo_optimize with its input schema under the caps, and an output schema", async () => {
    mcp = await startMcpChild(["--max-width", "6", "--max-depth", "3"], env());
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["tpo_optimize"]);
    const [tool] = tools;
    const properties = tool.inputSchema.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties)).toEqual(
      expect.arrayContaining(["query", "messages", "width", "depth", "mode", "targetScore"]),
    );
    expect(properties.width).toMatchObject({ type: "integer", minimum: 1, maximum: 6 });
    expect(properties.depth).toMatchObject({ type: "integer", minimum: 0, maximum: 3 });
    expect(properties.mode.enum).toEqual(["tpo", "revision", "bon"]);
    expect(tool.inputSchema.additionalProperties).toBe(false);
    expect(Object.keys(tool.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(["answer", "score", "iteration", "stopReason", "firstSampleScore", "cost"]),
    );
    expect(tool.description).toMatch(/Worth it for/);
    expect(tool.description).toMatch(/at most width 6, depth 3/);
    expect(mcp.transport.stderr).toContain("serving tpo_optimize");
  });

  it("answers as tpo run --json does for the same query and settings, with one progress notification per iteration", async () => {
    mcp = await startMcpChild([], env());
    const progress: ProgressNotification["params"][] = [];
    const result = await call(
      { query: QUERY, width: 3, depth: 2, seed: 7 },
      { onprogress: (p) => progress.push(p as ProgressNotification["params"]) },
    );
    expect(result.isError).toBeFalsy();

    const cli = await runCliInProcess(
      ["run", QUERY, "--width", "3", "--depth", "2", "--seed", "7", "--json"],
      {
        env: env(),
      },
    );
    expect(cli.code).toBe(0);
    const json = JSON.parse(cli.stdout) as {
      best: { text: string; score: number; iteration: number };
      pool: { score: number | null; iteration: number }[];
      usage: Record<string, number>;
      stopReason: string;
      stoppedAt: number;
      history: unknown[];
    };
    expect(textOf(result)).toBe(json.best.text);
    const structured = result.structuredContent as Record<string, unknown> & { cost: Record<string, number> };
    expect(structured).toMatchObject({
      answer: json.best.text,
      score: json.best.score,
      iteration: json.best.iteration,
      iterations: 2,
      stopReason: json.stopReason,
      stoppedAt: json.stoppedAt,
      firstSampleScore: json.pool[0].score,
      settings: { width: 3, depth: 2, mode: "tpo" },
    });
    expect(structured.cost).toMatchObject({
      modelRequests: json.usage.modelRequests,
      rewardRequests: json.usage.rewardRequests,
      promptTokens: json.usage.promptTokens,
      completionTokens: json.usage.completionTokens,
      cachedPromptTokens: json.usage.cachedPromptTokens,
    });
    expect(structured.cost.elapsedMs).toBeGreaterThanOrEqual(0);

    expect(progress.map((p) => [p.progress, p.total])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    expect(progress.every((p) => /best score \d/.test(p.message ?? ""))).toBe(true);
  });

  it("answers a conversation given as messages", async () => {
    mcp = await startMcpChild([], env());
    const result = await call({
      messages: [
        { role: "system", content: "You are concise." },
        { role: "user", content: QUERY },
      ],
      width: 2,
      depth: 1,
    });
    expect(result.isError).toBeFalsy();
    expect(textOf(result).length).toBeGreaterThan(0);
  });

  it("answers a message over 10 MiB with a JSON-RPC error, logs one line, and goes on serving", async () => {
    mcp = await startMcpChild([], env());
    const huge = "x".repeat(11 * 2 ** 20);
    const message = {
      jsonrpc: "2.0",
      id: 4242,
      method: "tools/call",
      params: { name: "tpo_optimize", arguments: { query: huge } },
    };
    let exited: number | null | undefined;
    void mcp.transport.exited.then((code) => (exited = code));
    mcp.transport.child.stdin!.write(`${JSON.stringify(message)}\n`);
    const answered = () => mcp!.transport.stdoutLines.some((line) => line.includes('"id":4242'));
    await waitUntil(() => answered() || exited !== undefined, 45_000, "an answer to the message");
    expect(exited, "tpo mcp exited").toBeUndefined();
    const answer = JSON.parse(mcp.transport.stdoutLines.find((line) => line.includes('"id":4242'))!) as {
      error?: { code: number; message: string };
    };
    expect(answer.error).toMatchObject({ code: -32600, message: expect.stringMatching(/over 10 MiB/) });
    // Still serving: a call after it is answered.
    const ok = await call({ query: QUERY, width: 2, depth: 0 });
    expect(ok.isError).toBeFalsy();
    const logged = mcp.transport.stderr.split("\n").filter((line) => /10 MiB/.test(line));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^tpo mcp: /);
  });

  it("returns a one-line tool error for bad arguments and values above the caps, and goes on serving", async () => {
    mcp = await startMcpChild(["--max-depth", "3"], env());
    const before = sim.stats.count(CHAT);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ query: QUERY, width: 0 }, /"width".*>=1/],
      [
        { query: QUERY, depth: 4 },
        /"depth": depth 4 is more than this server allows: at most 3 \(tpo mcp --max-depth\)/,
      ],
      // Over the cap and over the schema's own maximum (64): the cap is what the agent is told.
      [
        { query: QUERY, width: 100 },
        /"width": width 100 is more than this server allows: at most 20 \(tpo mcp --max-width\)/,
      ],
      [{ query: QUERY, temperature: 5 }, /"temperature"/],
      [{ query: QUERY, mode: "fast" }, /"mode"/],
      [{ query: QUERY, color: "red" }, /Unknown argument "color"/],
      [{ width: 2 }, /No query: give "query"/],
      [{ query: QUERY, messages: [{ role: "user", content: "hi" }] }, /either "query" or "messages"/],
      [{ messages: [] }, /"messages" must be a non-empty array/],
      [{ query: "   " }, /"query" is empty/],
    ];
    for (const [args, message] of cases) {
      const result = await call(args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(textOf(result)).toMatch(message);
      expect(textOf(result)).not.toContain("\n");
    }
    expect(sim.stats.count(CHAT)).toBe(before); // nothing reached the models
    const ok = await call({ query: QUERY, width: 2, depth: 1 });
    expect(ok.isError).toBeFalsy();
  });

  it("returns a tool error naming the failing step and status, without the key or the address, and logs the details on stderr", async () => {
    mcp = await startMcpChild([], { ...env(), TPO_MAX_RETRIES: "0" });
    sim.setFaults([{ kind: "status", status: 500, message: "policy exploded", path: CHAT }]);
    const policy = await call({ query: QUERY, width: 2, depth: 1 });
    expect(policy.isError).toBe(true);
    expect(textOf(policy)).toBe(
      "TPO failed: in the generate step, the model server answered HTTP 500. The tpo mcp log has the details.",
    );

    sim.setFaults([{ kind: "status", status: 503, message: "reward down", path: "/pooling" }]);
    const reward = await call({ query: QUERY, width: 2, depth: 1 });
    expect(reward.isError).toBe(true);
    expect(textOf(reward)).toMatch(/^TPO failed: in the reward step, the reward server answered HTTP 503\./);
    for (const text of [textOf(policy), textOf(reward)]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(String(sim.port));
    }
    await waitUntil(() => mcp!.transport.stderr.includes("reward down"), 10_000, "the log line");
    expect(mcp.transport.stderr).toContain("policy exploded");
    expect(mcp.transport.stderr).not.toContain(API_KEY);
  });

  it("stops the run's model requests when the call is cancelled, and goes on serving", async () => {
    mcp = await startMcpChild([], env());
    const start = sim.stats.count(CHAT);
    const controller = new AbortController();
    let firstIteration!: () => void;
    const sampled = new Promise<void>((resolve) => (firstIteration = resolve));
    const pending = call(
      { query: QUERY, width: 3, depth: 4 },
      {
        signal: controller.signal,
        onprogress: () => {
          // Past the first sampling, every model request hangs: the run waits on its critique.
          sim.setFaults([{ kind: "delay", ms: 60_000, path: CHAT }]);
          firstIteration();
        },
      },
    );
    pending.catch(() => {});
    await sampled;
    await waitUntil(
      () => sim.stats.log.some((r) => r.path === CHAT && r.status === undefined),
      10_000,
      "a request in flight",
    );
    controller.abort("the agent moved on");
    await expect(pending).rejects.toThrow();
    // Messages on stdio are handled in order: once the ping is answered, the cancellation was too.
    await mcp.client.ping();
    const afterCancel = sim.stats.log.length;
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // a quiet period, for any request that would follow
    expect(sim.stats.log.length).toBe(afterCancel);
    expect(sim.stats.count(CHAT) - start).toBeLessThan(1 + 4 * 3); // far from a whole run of depth 4

    sim.setFaults([]);
    const next = await call({ query: QUERY, width: 2, depth: 1 });
    expect(next.isError).toBeFalsy();
  });
});
