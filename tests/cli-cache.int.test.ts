import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killChildren, runCliInProcess, startCli, waitUntil } from "./helpers/cli.js";
import { readRecords } from "./helpers/records.js";
import { mentions, simServerEnv, useSimServer } from "./helpers/sim-http.js";
import type { SimRequest } from "../src/sim/server.js";

const sim = useSimServer();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tpo-cli-cache-"));
});
afterAll(() => {
  killChildren();
  rmSync(dir, { recursive: true, force: true });
});

const QUERIES = ["How do I brew green tea?", "What is a good first houseplant?", "How do I sharpen a knife?"];

function input(): string {
  const path = join(dir, "queries.jsonl");
  writeFileSync(path, QUERIES.map((prompt, i) => JSON.stringify({ id: `q${i}`, prompt })).join("\n"));
  return path;
}

/** The records of a results file by id and mode, without timing and without what the cache answered. */
function records(path: string): unknown[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map(
      (line) =>
        JSON.parse(line, (key, v: unknown) =>
          ["elapsedMs", "finishedAt", "nodeMs", "fromCache"].includes(key) ? undefined : v,
        ) as { id: string; mode: string },
    )
    .sort((a, b) => `${a.id}${a.mode}`.localeCompare(`${b.id}${b.mode}`));
}

/** Model requests the server answered (not the probe that asks whether it is the simulated one). */
function requests(): number {
  return sim.server.stats.count("/v1/chat/completions") + sim.server.stats.count("/pooling");
}

/** Model requests the server answered (a request whose client went away first was never paid for). */
function answered(): number {
  return sim.server.stats.log.filter(
    (r) => r.method === "POST" && r.status !== undefined && r.path !== "/v1/models",
  ).length;
}

describe("tpo batch --cache", () => {
  it("a killed batch resumed with the cache pays for what was missing, not more", async () => {
    const cache = join(dir, "killed.sqlite");
    const out = join(dir, "killed.jsonl");
    const env = simServerEnv(sim.server);
    const args = ["batch", input(), "--seed", "5", "--depth", "1", "--concurrency", "1", "--quiet"];
    // What the whole batch costs, sent afresh.
    sim.server.stats.reset();
    const fresh = await runCliInProcess([...args, "--out", join(dir, "killed-fresh.jsonl")], { env });
    expect(fresh.code, fresh.stderr).toBe(0);
    const whole = answered();

    // The third query's critique (its second chat request) never gets an answer: the batch is
    // killed there, with two records written and the third query's sample and scores paid for.
    const third = mentions(QUERIES[2]);
    let thirdChats = 0;
    const critiqueOfThird = (request: SimRequest) => third(request) && ++thirdChats >= 2;
    sim.server.setFaults([{ kind: "delay", ms: 30_000, when: critiqueOfThird }]);
    sim.server.stats.reset();
    const killed = startCli([...args, "--out", out, "--cache", cache], { env, timeoutMs: 120_000 });
    const hanging = () =>
      sim.server.stats.log.some(
        (r) =>
          critiqueOfThird.length > 0 &&
          third(r) &&
          r.status === undefined &&
          r.path === "/v1/chat/completions",
      );
    await waitUntil(
      () => readRecords(out).length === 2 && hanging(),
      60_000,
      "two records and the third query's critique sent",
    );
    killed.child.kill("SIGKILL");
    expect((await killed.done).signal).toBe("SIGKILL");
    sim.server.setFaults([]);
    const paidBeforeKill = answered();
    expect(paidBeforeKill).toBeGreaterThan(0);

    sim.server.stats.reset();
    const resumed = await runCliInProcess([...args, "--out", out, "--cache", cache, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readRecords(out)).toHaveLength(QUERIES.length);
    // Everything the killed run was answered came from the cache: together they paid for one batch.
    expect(answered()).toBe(whole - paidBeforeKill);
    expect(resumed.stdout).toMatch(/Cache .*killed\.sqlite answered [1-9]\d* model requests? /);
  }, 180_000);

  it("sends no request at all for a re-run of the same seeded batch, and writes identical records", async () => {
    const cache = join(dir, "rerun.sqlite");
    const env = simServerEnv(sim.server);
    const batch = (out: string) =>
      runCliInProcess(
        [
          "batch",
          input(),
          "--out",
          out,
          "--seed",
          "7",
          "--depth",
          "2",
          "--modes",
          "tpo,bon",
          "--cache",
          cache,
        ],
        { env },
      );
    const first = await batch(join(dir, "first.jsonl"));
    expect(first.code, first.stderr).toBe(0);
    expect(requests()).toBeGreaterThan(0);
    sim.server.stats.reset();

    const second = await batch(join(dir, "second.jsonl"));
    expect(second.code, second.stderr).toBe(0);
    expect(requests()).toBe(0);
    expect(records(join(dir, "second.jsonl"))).toEqual(records(join(dir, "first.jsonl")));
    expect(second.stdout).toMatch(
      /Cache .*rerun\.sqlite answered \d+ model requests \(\d+ tokens\) and \d+ reward requests: none of them was sent\./,
    );
  });

  it("sends only the requests of the new iterations when the depth grows", async () => {
    const cache = join(dir, "deeper.sqlite");
    const env = simServerEnv(sim.server);
    const batch = (out: string, depth: string, withCache: boolean) =>
      runCliInProcess(
        [
          "batch",
          input(),
          "--out",
          out,
          "--seed",
          "3",
          "--depth",
          depth,
          ...(withCache ? ["--cache", cache] : []),
        ],
        { env },
      );
    expect((await batch(join(dir, "d1.jsonl"), "1", true)).code).toBe(0);
    const shallow = requests();
    sim.server.stats.reset();
    expect((await batch(join(dir, "d2.jsonl"), "2", true)).code).toBe(0);
    const deeper = requests();
    sim.server.stats.reset();
    expect((await batch(join(dir, "d2-fresh.jsonl"), "2", false)).code).toBe(0);
    const fresh = requests();
    expect(deeper).toBe(fresh - shallow);
    expect(deeper).toBeGreaterThan(0);
  });

  it("refuses a --cache file that is not a cache in one line, before any request", async () => {
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "not a cache\n");
    const result = await runCliInProcess(
      ["batch", input(), "--out", join(dir, "x.jsonl"), "--cache", notes],
      {
        env: simServerEnv(sim.server),
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      `tpo: --cache ${notes} is not a SQLite file; name a new file (or a cache file of an earlier run).`,
    ]);
    expect(requests()).toBe(0);
    expect(readFileSync(notes, "utf8")).toBe("not a cache\n");
  });

  it("tpo cache prune deletes what is older than it is told", async () => {
    const cache = join(dir, "rerun.sqlite");
    const kept = await runCliInProcess(["cache", "prune", cache, "--older-than", "1h"]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(
      /^Deleted 0 entries older than 1h from .*; [1-9]\d* responses, [1-9]\d* scores and 0 verdicts left\.$/m,
    );
    const all = await runCliInProcess(["cache", "prune", cache, "--older-than", "0s"]);
    expect(all.stdout).toMatch(/; 0 responses, 0 scores and 0 verdicts left\.$/m);
  });
});
