/**
 * Several servers per role (issue 21): each query's requests on the server its key hashes to,
 * failover without losing a query, cool-off and probe, routing keys, usage per server. Against
 * simulated servers over HTTP.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ModelRequestError } from "../src/errors.js";
import { loadModels, type ModelSettings } from "../src/from-env/models-from-env.js";
import { createTpoGraph } from "../src/graph/builder.js";
import { rendezvousOrder } from "../src/models/pool/rendezvous.js";
import { startSimServer, type SimRequest, type SimServer } from "../src/sim/server.js";
import type { TpoStateType } from "../src/state/state.js";
import { ROOT } from "./helpers/cli.js";

const CHAT = "/v1/chat/completions";
const ROUTING_HEADERS = ["x-session-id", "x-smg-routing-key", "x-litellm-session-id"];
const CONTEXT = { depth: 1, width: 2, seed: 7 };

let servers: SimServer[] = [];

afterEach(async () => {
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

/** The models of a list of servers: the policy on their /v1, a vLLM pooling reward model on their roots. */
function settingsOf(list: SimServer[], extra: Partial<ModelSettings> = {}): ModelSettings {
  return {
    baseUrl: list.map((s) => `${s.url}/v1`).join(","),
    model: "tpo-sim",
    rewardUrl: list.map((s) => s.url).join(","),
    rewardKind: "vllm-pooling",
    maxRetries: 0,
    ...extra,
  };
}

async function runQuery(settings: ModelSettings, query: string): Promise<TpoStateType> {
  const graph = createTpoGraph(loadModels(settings));
  return (await graph.invoke({ query }, { context: CONTEXT })) as TpoStateType;
}

/** The server whose chat completions URL the key of a query that ran ranks first among these servers. */
function firstChatServer(list: SimServer[], query: string): SimServer {
  const request = list.flatMap((s) => s.stats.log).find((r) => JSON.stringify(r.body).includes(query));
  const key = request!.headers!["x-session-id"];
  const urls = list.map((s) => `${s.url}/v1/chat/completions`);
  return list[urls.indexOf(rendezvousOrder(key, urls, (u) => u)[0])];
}

const posts = (s: SimServer, path?: string) =>
  s.stats.log.filter((r) => r.method === "POST" && (path === undefined || r.path === path));

const samplePrompts = () =>
  JSON.parse(readFileSync(join(ROOT, "data", "tpo-sample-prompts.json"), "utf8")) as string[];

describe("a pool of two servers per role", () => {
  it("keeps each query's requests on one server, carrying one key, and spreads the queries", async () => {
    const list = await start(2);
    const settings = settingsOf(list);
    const queries = samplePrompts().slice(0, 24);
    // One after the other: no server is ever busier than the other, so each query gets its first choice.
    const states: TpoStateType[] = [];
    for (const query of queries) states.push(await runQuery(settings, query));

    const all = list.flatMap((s) => posts(s).map((request) => ({ server: s, request })));
    // One key per query: every request carries it in the three headers, and no two queries share one.
    for (const { request } of all) {
      const key = request.headers!["x-session-id"];
      expect(key).toMatch(/^tpo-[0-9a-f]{32}$/);
      expect(ROUTING_HEADERS.map((h) => request.headers![h])).toEqual([key, key, key]);
    }
    const keyOf = (request: SimRequest) => request.headers!["x-session-id"];
    const keys = new Set(all.map(({ request }) => keyOf(request)));
    expect(keys.size).toBe(queries.length);

    // Per role, all the requests of one key went to one server: the one rendezvous hashing ranks first.
    for (const [path, urlOf] of [
      [CHAT, (s: SimServer) => `${s.url}/v1/chat/completions`],
      ["/pooling", (s: SimServer) => `${s.url}/pooling`],
    ] as const) {
      const chatKeysOn = list.map((s) => new Set(posts(s, path).map(keyOf)));
      for (const key of keys) {
        const holders = list.filter((_, i) => chatKeysOn[i].has(key));
        expect(holders).toHaveLength(1);
        const expected = rendezvousOrder(key, list.map(urlOf), (u) => u)[0];
        expect(urlOf(holders[0])).toBe(expected);
      }
      // A fair share each: 12 of 24 on average, fewer than 4 would mean the keys do not spread.
      for (const held of chatKeysOn) expect(held.size).toBeGreaterThanOrEqual(4);
    }

    // The usage figures name the server that answered, and add up to the run's own counts.
    for (const state of states) {
      const policy = state.usage.replicas!.policy;
      const counted = Object.values(policy);
      expect(counted.reduce((sum, c) => sum + c.requests, 0)).toBe(state.usage.modelRequests);
      expect(counted.reduce((sum, c) => sum + c.cachedPromptTokens, 0)).toBe(state.usage.cachedPromptTokens);
      expect(counted.reduce((sum, c) => sum + c.promptTokens, 0)).toBe(state.usage.promptTokens);
      expect(Object.keys(policy)).toHaveLength(1);
      const reward = Object.values(state.usage.replicas!.reward);
      expect(reward.reduce((sum, c) => sum + c.requests, 0)).toBe(state.usage.rewardRequests);
    }
  });

  it("with affinity off sends no routing header or field, and spreads a query's requests", async () => {
    const list = await start(2);
    const state = await runQuery(settingsOf(list, { affinity: "off" }), "How do I brew green tea?");
    expect(state.best).not.toBeNull();
    const all = list.flatMap((s) => posts(s));
    expect(all.length).toBeGreaterThan(0);
    for (const request of all) {
      for (const header of ROUTING_HEADERS) expect(request.headers![header]).toBeUndefined();
      expect(request.body).not.toHaveProperty("prompt_cache_key");
    }
    // In turn, not by key: the query's three chat requests went to both servers.
    expect(list.map((s) => posts(s, CHAT).length).every((n) => n > 0)).toBe(true);
  });

  it("moves a query to the other server when its own fails mid-query, and the query ends well", async () => {
    const list = await start(2);
    const query = "How do I take care of a wooden table?";
    // A first run finds the query's server; the servers then start afresh.
    await runQuery(settingsOf(list), query);
    const own = firstChatServer(list, query);
    const other = list.find((s) => s !== own)!;
    for (const s of list) s.stats.reset();
    // Its own server answers the first chat request (generate), then fails every one after it.
    own.setFaults([{ kind: "status", status: 503, when: () => own.stats.count(CHAT) > 1 }]);

    const state = await runQuery(settingsOf(list, { coolOffMs: 60_000 }), query);
    expect(state.best).not.toBeNull();
    expect(state.history.reduce((sum, h) => sum + h.failures, 0)).toBe(0);
    expect(posts(own, CHAT).map((r) => r.status)).toEqual([200, 503]);
    // Critique, gradient and update: all on the other server, the failed one cooling off.
    expect(posts(other, CHAT).map((r) => r.status)).toEqual([200, 200, 200]);
    const policy = state.usage.replicas!.policy;
    expect(policy[`${own.url}/v1/chat/completions`]).toEqual(
      expect.objectContaining({ requests: 1, failures: 1 }),
    );
    expect(policy[`${other.url}/v1/chat/completions`]).toEqual(
      expect.objectContaining({ requests: 3, failures: 0 }),
    );
  });

  it("gives a server that comes back traffic again only after its cool-off and a probe", async () => {
    const list = await start(2);
    const query = "What makes a good cup of coffee?";
    await runQuery(settingsOf(list), query);
    const own = firstChatServer(list, query);
    const other = list.find((s) => s !== own)!;
    const port = own.port;
    // The reward model on the other server alone: the returning server's traffic is the policy's.
    const settings = settingsOf(list, { coolOffMs: 200, rewardUrl: other.url });
    await own.close();
    servers = servers.filter((s) => s !== own);

    const whileDown = await runQuery(settings, query);
    expect(whileDown.best).not.toBeNull();
    const failures = Object.values(whileDown.usage.replicas!.policy).reduce((sum, c) => sum + c.failures, 0);
    expect(failures).toBe(1);

    const back = await startSimServer({ port });
    servers.push(back);
    // Its queries come back once the cool-off is over (bounded: a few cool-offs at most).
    for (let i = 0; i < 20 && posts(back, CHAT).length === 0; i++) {
      await runQuery(settings, query);
      if (posts(back, CHAT).length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A probe first, then the query's requests, none of which went to the other server any more.
    const [probe, ...after] = back.stats.log;
    expect([probe.method, probe.path]).toEqual(["GET", "/v1/models"]);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => r.method === "POST" && r.path === CHAT)).toBe(true);
    expect(posts(other, CHAT).filter((r) => r.arrivedAt! > probe.arrivedAt!)).toEqual([]);
  });

  it("fails a query only when every server is down, naming the role and the servers without credentials", async () => {
    const gone = await start(2);
    const urls = gone.map((s) => s.url.replace("http://", "http://user:secret@"));
    await Promise.all(gone.map((s) => s.close()));
    servers = [];
    const settings: ModelSettings = {
      baseUrl: urls.map((u) => `${u}/v1`).join(","),
      model: "tpo-sim",
      maxRetries: 0,
    };
    const error = await runQuery(settings, "Anyone there?").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    const message = (error as Error).message;
    expect(message).toMatch(/^All 2 policy servers are down: /);
    for (const s of gone) expect(message).toContain(`http://user:***@${s.url.slice(7)}/v1/chat/completions`);
    expect(message).toContain("ECONNREFUSED");
    expect(message).toContain("OPENAI_BASE_URL (--base-url)");
    expect(message).not.toContain("secret");
  });
});

describe("a server that answers 200 with a body it cannot read", () => {
  /** The other server of two always answers a proxy's HTML page (or a body cut short) with 200. */
  async function oneUnreadable(html: boolean): Promise<{ good: SimServer; bad: SimServer }> {
    const [good, bad] = await start(2);
    bad.setFaults([{ kind: "malformed", html, path: "*" }]);
    return { good, bad };
  }

  const roles = [
    ["policy, critic and reward model", {}],
    ["policy, critic and the policy judging", { rewardUrl: undefined, rewardKind: undefined }],
  ] as const;
  for (const [roleSet, extra] of roles) {
    for (const html of [true, false]) {
      it(`fails over like a 5xx (${roleSet}; ${html ? "an HTML page" : "JSON cut short"}): every query ends well, the server cools off`, async () => {
        const { good, bad } = await oneUnreadable(html);
        const settings = settingsOf([good, bad], { coolOffMs: 60_000, ...extra });
        const states: TpoStateType[] = [];
        for (const query of samplePrompts().slice(0, 12)) states.push(await runQuery(settings, query));

        for (const state of states) {
          expect(state.best).not.toBeNull();
          expect(state.history.reduce((sum, h) => sum + h.failures, 0)).toBe(0);
        }
        expect(posts(bad).length).toBeGreaterThan(0);
        // Per role, the bad server failed within one query and got no traffic after it (cool-off),
        // and it never counted as having answered.
        const onBad = (state: TpoStateType) =>
          Object.entries(state.usage.replicas ?? {}).flatMap(([role, byServer]) =>
            Object.entries(byServer)
              .filter(([url]) => url.startsWith(bad.url))
              .map(([, counts]) => ({ role, ...counts })),
          );
        const rolesFailed = states.flatMap((state) =>
          onBad(state)
            .filter((c) => c.failures > 0)
            .map((c) => c.role),
        );
        expect(rolesFailed.length).toBeGreaterThan(0);
        expect(new Set(rolesFailed).size).toBe(rolesFailed.length);
        expect(states.flatMap(onBad).every((c) => c.requests === 0)).toBe(true);
      });
    }
  }

  it("is retried on a server of its own, for the policy and the reward model alike", async () => {
    const [one] = await start(1);
    one.setFaults([
      { kind: "malformed", html: true, times: 1 },
      { kind: "malformed", path: "/pooling", times: 1 },
    ]);
    const state = await runQuery({ ...settingsOf([one]), maxRetries: 1 }, "How do I keep basil alive?");
    expect(state.best).not.toBeNull();
    expect(posts(one, CHAT)[0].status).toBe(200);
    expect(posts(one, "/pooling").length).toBeGreaterThan(1);
  });
});

describe("one server per role", () => {
  it("sends the requests as before, with the routing headers while affinity is on", async () => {
    const [one] = await start(1);
    const query = "How do I brew green tea?";
    const settings = { ...settingsOf([one]), maxRetries: undefined };
    const withKey = await runQuery(settings, query);
    const keyed = posts(one);
    one.stats.reset();
    const without = await runQuery({ ...settings, affinity: "off" }, query);
    const plain = posts(one);

    expect(withKey.usage.replicas).toBeUndefined();
    expect(without.usage.replicas).toBeUndefined();
    expect(keyed.map((r) => [r.path, r.body])).toEqual(plain.map((r) => [r.path, r.body]));
    const key = keyed[0].headers!["x-session-id"];
    for (const request of keyed) {
      expect(ROUTING_HEADERS.map((h) => request.headers![h])).toEqual([key, key, key]);
    }
    for (const request of plain) {
      for (const header of ROUTING_HEADERS) expect(request.headers![header]).toBeUndefined();
    }
  });
});
