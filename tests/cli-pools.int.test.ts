/**
 * `tpo` with several servers per role (issue 21): usage per server in `tpo run --json`, in batch
 * records and the batch summary; a server killed mid-batch and brought back; every server down;
 * `--affinity off`. Against simulated servers over HTTP.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../src/sim/server.js";
import { killChildren, removeTempDirs, runCli, startCli, tempDir, waitUntil } from "./helpers/cli.js";
import { readRecords, samplePrompts } from "./helpers/records.js";

const CHAT = "/v1/chat/completions";
const ROUTING_HEADERS = ["x-session-id", "x-smg-routing-key", "x-litellm-session-id"];

let servers: SimServer[] = [];

afterEach(async () => {
  killChildren();
  removeTempDirs();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(
  count: number,
  options: Parameters<typeof startSimServer>[0] = {},
): Promise<SimServer[]> {
  const started = await Promise.all(Array.from({ length: count }, () => startSimServer(options)));
  servers.push(...started);
  return started;
}

/** The environment of a policy and a vLLM pooling reward model on every server of the list. */
function poolEnv(list: SimServer[], extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    TPO_BACKEND: undefined,
    OPENAI_BASE_URL: list.map((s) => `${s.url}/v1`).join(","),
    TPO_MODEL: "tpo-sim",
    TPO_REWARD_URL: list.map((s) => s.url).join(","),
    TPO_REWARD_KIND: "vllm-pooling",
    ...extra,
  };
}

const posts = (s: SimServer) => s.stats.log.filter((r) => r.method === "POST");
const keyOf = (r: { headers?: Record<string, string> }) => r.headers?.["x-session-id"];

interface RunJson {
  models: Record<string, string>;
  usage: {
    modelRequests: number;
    rewardRequests: number;
    cachedPromptTokens: number;
    replicas?: Record<
      string,
      Record<string, { requests: number; failures: number; cachedPromptTokens: number }>
    >;
  };
}

describe("tpo with a list of servers per role", () => {
  it("run --json shows the usage of each server that answered", async () => {
    const list = await start(2);
    const result = await runCli(["run", "How do I brew green tea?", "--depth", "1", "--json"], {
      env: poolEnv(list),
    });
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as RunJson;
    expect(output.models.baseUrl).toBe(list.map((s) => `${s.url}/v1`).join(","));
    const { replicas } = output.usage;
    const policy = Object.entries(replicas!.policy);
    // One query: one server per role, the one that got its requests.
    expect(policy).toHaveLength(1);
    const [url, counts] = policy[0];
    const answering = list.find((s) => url === `${s.url}/v1/chat/completions`)!;
    expect(counts).toEqual({
      requests: output.usage.modelRequests,
      failures: 0,
      promptTokens: expect.any(Number),
      cachedPromptTokens: output.usage.cachedPromptTokens,
    });
    expect(answering.stats.count(CHAT)).toBe(output.usage.modelRequests);
    const reward = Object.values(replicas!.reward);
    expect(reward.map((c) => c.requests)).toEqual([output.usage.rewardRequests]);
  });

  it("--affinity off sends no routing header or field", async () => {
    const list = await start(2);
    const result = await runCli(["run", "How do I brew green tea?", "--depth", "1", "--affinity", "off"], {
      env: poolEnv(list),
    });
    expect(result.code, result.stderr).toBe(0);
    const all = list.flatMap(posts);
    expect(all.length).toBeGreaterThan(0);
    for (const request of all) {
      for (const header of ROUTING_HEADERS) expect(request.headers![header]).toBeUndefined();
      expect(request.body).not.toHaveProperty("prompt_cache_key");
    }
    // And with it on (the default), every request carries the query's key.
    for (const s of list) s.stats.reset();
    expect(
      (await runCli(["run", "How do I brew green tea?", "--depth", "1"], { env: poolEnv(list) })).code,
    ).toBe(0);
    const keys = new Set(list.flatMap(posts).map(keyOf));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^tpo-/);
  });

  it("fails when every server is down with one message naming the role and the servers, never a secret", async () => {
    const gone = await start(2);
    const urls = gone.map((s) => s.url.replace("http://", "http://user:secret@"));
    await Promise.all(gone.map((s) => s.close()));
    servers = [];
    const result = await runCli(["run", "Anyone there?", "--max-retries", "0"], {
      env: {
        TPO_BACKEND: undefined,
        OPENAI_BASE_URL: urls.map((u) => `${u}/v1`).join(","),
        TPO_MODEL: "tpo-sim",
      },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("All 2 policy servers are down");
    for (const s of gone) expect(result.stderr).toContain(`http://user:***@${s.url.slice(7)}/v1`);
    expect(result.stderr).not.toContain("secret");
  });

  it("batch: a server killed mid-batch loses no query, and gets traffic again once it is back and probed", async () => {
    const list = await start(3, { latency: { fixedMs: 100 } });
    const [, , victim] = list;
    const dir = tempDir();
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify(samplePrompts().slice(0, 36)));
    const out = join(dir, "out.jsonl");
    const cli = startCli(
      ["batch", input, "--out", out, "--depth", "1", "--width", "2", "--concurrency", "4"],
      {
        env: poolEnv(list, { TPO_MAX_RETRIES: "0", TPO_COOL_OFF_MS: "300" }),
        timeoutMs: 120_000,
      },
    );
    await waitUntil(() => victim.stats.count(CHAT) >= 2, 60_000, "the victim's first chat requests");
    const port = victim.port;
    await victim.close();
    const killedAt = performance.timeOrigin + performance.now();
    const victimKeys = new Set(posts(victim).map(keyOf));
    const survivors = list.filter((s) => s !== victim);
    const movedKeys = () =>
      survivors.flatMap((s) => posts(s).filter((r) => r.path === CHAT && r.arrivedAt! > killedAt)).map(keyOf);
    // Back only once the batch saw it fail (a query of its own moved on): it is down for the policy now.
    await waitUntil(
      () => movedKeys().some((key) => victimKeys.has(key)),
      60_000,
      "a query of the victim moving on",
    );
    const back = await startSimServer({ port, latency: { fixedMs: 100 } });
    servers.push(back);
    await waitUntil(() => back.stats.count(CHAT) > 0, 60_000, "traffic on the server that came back");
    const result = await cli.done;
    expect(result.code, result.stderr).toBe(0);

    // Every query has one good record.
    const records = readRecords(out);
    expect(records).toHaveLength(36);
    expect(records.filter((r) => r.error)).toEqual([]);
    // The killed server's queries went on on the others, and say so in their usage.
    const failed = records.filter((r) =>
      Object.values(r.usage!.replicas?.policy ?? {}).some((c) => c.failures > 0),
    );
    expect(failed.length).toBeGreaterThan(0);
    // It got the policy's requests again through a probe.
    const probe = back.stats.log.findIndex((r) => r.method === "GET" && r.path === "/v1/models");
    expect(probe).toBeGreaterThanOrEqual(0);
    expect(probe).toBeLessThan(back.stats.log.findIndex((r) => r.path === CHAT));
    // The summary has a line per server and role.
    for (const s of list)
      expect(result.stdout).toMatch(new RegExp(`policy\\s+${s.url}/v1/chat/completions\\s+\\d+`));
    expect(result.stdout).toMatch(new RegExp(`policy\\s+${victim.url}/v1/chat/completions\\s+\\d+\\s+[1-9]`));
  });
});
