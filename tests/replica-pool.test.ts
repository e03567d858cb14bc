import { describe, expect, it } from "vitest";
import { rendezvousOrder } from "../src/models/pool/rendezvous.js";
import { ReplicaPool, type Replica } from "../src/models/pool/replica-pool.js";
import { countReplicaUsage } from "../src/models/pool/replica-usage.js";

const KEYS = Array.from({ length: 2000 }, (_, i) => `tpo-query-${i}`);

function owners(servers: string[]): Map<string, string> {
  return new Map(KEYS.map((key) => [key, rendezvousOrder(key, servers, (s) => s)[0]]));
}

describe("rendezvous hashing", () => {
  const four = ["http://gpu1:8000/v1", "http://gpu2:8000/v1", "http://gpu3:8000/v1", "http://gpu4:8000/v1"];

  it("spreads keys evenly over the servers", () => {
    const counts = new Map<string, number>();
    for (const owner of owners(four).values()) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...four].sort());
    // 500 each on average; a share off by more than a fifth would be a biased hash.
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(400);
      expect(count).toBeLessThan(600);
    }
  });

  it("gives each key every server once, the same order every time", () => {
    for (const key of KEYS.slice(0, 50)) {
      const order = rendezvousOrder(key, four, (s) => s);
      expect([...order].sort()).toEqual([...four].sort());
      expect(rendezvousOrder(key, [...four].reverse(), (s) => s)).toEqual(order);
    }
  });

  it("moves only the keys that a new server takes, and about their share", () => {
    const before = owners(four);
    const after = owners([...four, "http://gpu5:8000/v1"]);
    const moved = KEYS.filter((key) => before.get(key) !== after.get(key));
    expect(moved.every((key) => after.get(key) === "http://gpu5:8000/v1")).toBe(true);
    expect(moved.length).toBeGreaterThan(300);
    expect(moved.length).toBeLessThan(500);
  });

  it("moves only the keys of a server that is removed, each to its next server", () => {
    const before = owners(four);
    const after = owners(four.filter((s) => s !== "http://gpu2:8000/v1"));
    const wrong = KEYS.filter((key) =>
      before.get(key) === "http://gpu2:8000/v1"
        ? after.get(key) !== rendezvousOrder(key, four, (s) => s)[1]
        : after.get(key) !== before.get(key),
    );
    expect(wrong).toEqual([]);
    expect([...before.values()].filter((s) => s === "http://gpu2:8000/v1").length).toBeGreaterThan(400);
  });
});

class ServerDown extends Error {}
class BadRequest extends Error {}

/** A pool of fake servers: each test gets URLs of its own, as the health of a URL is process-wide. */
function fakePool(
  name: string,
  count: number,
  options: { affinity?: boolean; probe?: (replica: Replica) => Promise<boolean>; now?: () => number } = {},
) {
  const urls = Array.from({ length: count }, (_, i) => `http://user:secret@${name}-${i}.test/v1`);
  const probes: string[] = [];
  const pool = new ReplicaPool(
    urls.map((url) => ({ url, probeUrl: `${url}/models` })),
    {
      role: "policy",
      coolOffMs: 1000,
      affinity: options.affinity,
      now: options.now,
      probe: async (replica) => {
        probes.push(replica.url);
        return options.probe ? options.probe(replica) : true;
      },
      classify: (error) => ({
        failsOver: error instanceof ServerDown,
        reason: error instanceof Error ? error.message : String(error),
      }),
      allDown: (message, lastError) => new Error(message, { cause: lastError }),
    },
  );
  return { pool, urls, probes };
}

/** The first keys (of many) whose rendezvous ranking starts with server `index`. */
function keysFor(pool: ReplicaPool, index: number, count: number): string[] {
  const ids = pool.replicas.map((r) => r.shown);
  return KEYS.filter((key) => rendezvousOrder(key, ids, (id) => id)[0] === ids[index]).slice(0, count);
}

function keyFor(pool: ReplicaPool, index: number): string {
  return keysFor(pool, index, 1)[0];
}

describe("a pool of servers", () => {
  it("sends every request of a key to one server, and spreads keys", async () => {
    const { pool, urls } = fakePool("affinity", 3);
    const seen = new Map<string, Set<string>>();
    for (const key of KEYS.slice(0, 30)) {
      for (let i = 0; i < 4; i++) {
        await pool.send(key, async (replica) => {
          (seen.get(key) ?? seen.set(key, new Set()).get(key)!).add(replica.url);
        });
      }
    }
    expect([...seen.values()].every((servers) => servers.size === 1)).toBe(true);
    const used = new Set([...seen.values()].map((servers) => [...servers][0]));
    expect([...used].sort()).toEqual([...urls].sort());
  });

  it("without affinity sends requests to the servers in turn, whatever the key", async () => {
    const { pool, urls } = fakePool("turns", 3, { affinity: false });
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) await pool.send("same-key", async (replica) => sent.push(replica.url));
    expect(sent).toEqual([...urls, ...urls]);
  });

  it("moves a query to the next server when its own fails, where it stays; the failed one is out for the cool-off", async () => {
    let now = 0;
    const { pool, probes } = fakePool("failover", 3, { now: () => now });
    const [key, later, afterCoolOff] = keysFor(pool, 0, 3);
    const [first, second] = pool.order(key);
    const sent: string[] = [];
    const send = (k: string) =>
      pool.send(k, async (replica) => {
        sent.push(replica.url);
        if (replica === first && now < 500) throw new ServerDown("connection failed (ECONNREFUSED)");
        return replica.url;
      });
    const { value, replicas } = await countReplicaUsage(() => send(key));
    expect(value).toBe(second.url);
    expect(sent).toEqual([first.url, second.url]);
    // The figures name the servers without their credentials.
    expect(replicas?.policy[first.shown]).toMatchObject({ requests: 0, failures: 1 });
    expect(replicas?.policy[second.shown]).toMatchObject({ requests: 1, failures: 0 });
    expect(JSON.stringify(replicas)).not.toContain("secret");

    // Cooling off: no request and no probe to the failed server, for this query or a new one.
    now = 999;
    sent.length = 0;
    expect(await send(key)).toBe(second.url);
    expect(await send(later)).not.toBe(first.url);
    expect(sent).not.toContain(first.url);
    expect(probes).toEqual([]);

    // After the cool-off, a probe first; it answers, and the server gets new queries again. The
    // query that moved stays where its prompts now are.
    now = 1001;
    sent.length = 0;
    expect(await send(afterCoolOff)).toBe(first.url);
    expect(probes).toEqual([first.url]);
    expect(sent).toEqual([first.url]);
    expect(await send(key)).toBe(second.url);
  });

  it("keeps a server that does not answer its probe out for another cool-off", async () => {
    let now = 0;
    let up = false;
    const { pool, probes } = fakePool("probe", 2, { now: () => now, probe: async () => up });
    const keys = keysFor(pool, 0, 4);
    const [first, second] = pool.order(keys[0]);
    const send = (k: string) =>
      pool.send(k, async (replica) => {
        if (replica === first && !up) throw new ServerDown("status 503");
        return replica.url;
      });
    expect(await send(keys[0])).toBe(second.url);
    now = 1500;
    expect(await send(keys[1])).toBe(second.url);
    expect(probes).toEqual([first.url]);
    // Probed at 1500 and still down: out until 2500, without another probe before then.
    now = 2400;
    up = true;
    expect(await send(keys[2])).toBe(second.url);
    expect(probes).toEqual([first.url]);
    now = 2600;
    expect(await send(keys[3])).toBe(first.url);
    expect(probes).toEqual([first.url, first.url]);
  });

  it("sends a new query to its next server while its first has more than its share in flight", async () => {
    const { pool } = fakePool("bounded", 2);
    const release: (() => void)[] = [];
    const hold = (replica: Replica) =>
      new Promise<string>((resolve) => release.push(() => resolve(replica.url)));
    // Ten new queries at once, all ranking server 0 first: it takes its share, the rest go to server 1.
    const keys = keysFor(pool, 0, 10);
    const answers = Promise.all(keys.map((k) => pool.send(k, hold)));
    release.forEach((go) => go());
    const servers = await answers;
    const onFirst = servers.filter((url) => url === pool.replicas[0].url).length;
    expect(onFirst).toBeGreaterThanOrEqual(5);
    expect(onFirst).toBeLessThanOrEqual(7);
    // A query's requests in flight together go to one server, and it stays there.
    const again = keys.map((k) => pool.send(k, hold));
    release.splice(0).forEach((go) => go());
    expect(await Promise.all(again)).toEqual(servers);
    // Several requests of one new query at once (a reward batch in parallel): all on one server.
    const fresh = keysFor(pool, 0, 11)[10];
    const together = Array.from({ length: 6 }, () => pool.send(fresh, hold));
    release.splice(0).forEach((go) => go());
    expect(new Set(await Promise.all(together)).size).toBe(1);
    for (const [i, k] of keys.entries()) expect(await pool.send(k, async (r) => r.url)).toBe(servers[i]);
  });

  it("throws an error that does not fail over at once, and keeps the server up", async () => {
    const { pool } = fakePool("bad-request", 2);
    const key = keyFor(pool, 0);
    const sent: string[] = [];
    const send = () =>
      pool.send(key, async (replica) => {
        sent.push(replica.url);
        throw new BadRequest("status 400");
      });
    await expect(send()).rejects.toBeInstanceOf(BadRequest);
    await expect(send()).rejects.toBeInstanceOf(BadRequest);
    expect(sent).toEqual([pool.replicas[0].url, pool.replicas[0].url]);
  });

  it("fails only when every server is down, naming the role and each server without credentials", async () => {
    const { pool } = fakePool("all-down", 2, { probe: async () => false });
    const attempt = async (replica: Replica): Promise<never> => {
      throw new ServerDown(`connection failed (ECONNREFUSED) at ${replica.url}`);
    };
    const error = (await pool.send("k", attempt).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^All 2 policy servers are down: /);
    for (const replica of pool.replicas) expect(error.message).toContain(replica.shown);
    expect(error.message).toContain("user:***@");
    expect(error.message).not.toContain("secret");
    expect(error.cause).toBeInstanceOf(ServerDown);
    // Both cooling off now: they are probed (and still down) rather than skipped in silence.
    const again = (await pool.send("k", attempt).catch((e: unknown) => e)) as Error;
    expect(again.message).toContain("did not answer a probe");
  });

  it("tries a server that is cooling off but answers its probe before failing a query", async () => {
    let now = 0;
    const { pool } = fakePool("last-resort", 2, { now: () => now });
    let broken = true;
    const attempt = async (replica: Replica) => {
      if (broken) throw new ServerDown("status 502");
      return replica.url;
    };
    await expect(pool.send("k", attempt)).rejects.toThrow(/All 2 policy servers are down/);
    broken = false;
    now = 10; // both cooling off, both back
    expect(await pool.send("k", attempt)).toBe(pool.order("k")[0].url);
  });

  it("with one server, sends to it and nothing else: no probe, no marking, the error as it was", async () => {
    const { pool, probes } = fakePool("single", 1);
    const down = new ServerDown("connection failed");
    await expect(pool.send("k", async () => Promise.reject(down))).rejects.toBe(down);
    const { value, replicas } = await countReplicaUsage(() => pool.send("k", async () => "ok"));
    expect(value).toBe("ok");
    expect(replicas).toBeUndefined();
    expect(probes).toEqual([]);
  });
});
