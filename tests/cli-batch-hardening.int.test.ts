import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  killChildren,
  removeTempDirs,
  ROOT,
  runCliInProcess,
  startCli,
  tempDir,
  waitUntil,
} from "./helpers/cli.js";
import { readRecords, samplePrompts } from "./helpers/records.js";
import { oneFailingQuery, simServerEnv, useSimServer } from "./helpers/sim-http.js";

/** `tpo batch` as a careless user meets it: every test runs the real CLI. */

const sim = useSimServer();

afterEach(() => {
  killChildren();
  removeTempDirs();
});

/** The simulated world over HTTP, so that a test can slow it down, break it and count its requests. */
function httpEnv(): Record<string, string | undefined> {
  return simServerEnv(sim.server, { TPO_REWARD_KIND: "tei", TPO_MAX_RETRIES: "0" });
}

function promptsFile(dir: string, count: number, name = "prompts.json"): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(samplePrompts().slice(0, count)));
  return path;
}

/** The distinct user questions the simulated server was asked to answer (first samples only). */
function queriesSeen(): Set<string> {
  const asked = new Set<string>();
  for (const body of sim.server.stats.bodies["/v1/chat/completions"] ?? []) {
    const messages = (body as { messages?: { role: string; content: string }[] }).messages ?? [];
    const user = messages.find((m) => m.role === "user")?.content ?? "";
    for (const prompt of samplePrompts()) if (user.includes(prompt)) asked.add(prompt);
  }
  return asked;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

describe("tpo batch --resume with other settings", () => {
  it("is refused naming the settings that differ, unless --allow-mixed, and the summary keeps them apart", async () => {
    const dir = tempDir();
    const input = promptsFile(dir, 4);
    const out = join(dir, "out.jsonl");
    const first = await runCliInProcess([
      "batch",
      input,
      "--out",
      out,
      "--limit",
      "2",
      "--width",
      "2",
      "--depth",
      "1",
    ]);
    expect(first.code).toBe(0);

    const mixed = await runCliInProcess([
      "batch",
      input,
      "--out",
      out,
      "--resume",
      "--width",
      "5",
      "--depth",
      "3",
    ]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/width: 2 in the records, 5 now/);
    expect(mixed.stderr).toMatch(/depth: 1 in the records, 3 now/);
    expect(mixed.stderr).toMatch(/--allow-mixed/);
    expect(mixed.stderr).not.toMatch(/temperature/);
    expect(readRecords(out)).toHaveLength(2);

    const same = await runCliInProcess([
      "batch",
      input,
      "--out",
      out,
      "--resume",
      "--width",
      "2",
      "--depth",
      "1",
      "--limit",
      "3",
    ]);
    expect(same.code, same.stderr).toBe(0);
    expect(readRecords(out)).toHaveLength(3);

    const allowed = await runCliInProcess([
      "batch",
      input,
      "--out",
      out,
      "--resume",
      "--width",
      "5",
      "--depth",
      "3",
      "--allow-mixed",
    ]);
    expect(allowed.code, allowed.stderr).toBe(0);
    const records = readRecords(out);
    expect(records).toHaveLength(4);
    expect(records.map((r) => [r.settings!.width, r.settings!.depth])).toEqual([
      [2, 1],
      [2, 1],
      [2, 1],
      [5, 3],
    ]);
    // One summary row per setting, each labelled with its own N and D.
    expect(allowed.stdout).toMatch(/^tpo \(width 2, depth 1\)\s+2\s+1\s+3\s/m);
    expect(allowed.stdout).toMatch(/^tpo \(width 5, depth 3\)\s+5\s+3\s+1\s/m);
  });
});

describe("tpo batch and its --out file", () => {
  it("lets one process write it at a time: a second is refused naming the holder, a dead holder's lock is taken over, a signal releases it", async () => {
    sim.server.setLatency({ fixedMs: 50 });
    const dir = tempDir();
    const input = promptsFile(dir, 30);
    const out = join(dir, "out.jsonl");
    const lock = `${out}.lock`;
    const args = ["batch", input, "--out", out, "--depth", "1", "--width", "2", "--concurrency", "1"];

    const holder = startCli(args, { env: httpEnv() });
    await waitUntil(() => existsSync(lock), 30_000, "the lock file");
    const second = await runCliInProcess([...args, "--resume"], { env: httpEnv() });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(`--out .*out\\.jsonl.*\\(PID ${holder.child.pid} on ${hostname()}`),
    );
    expect(JSON.parse(readFileSync(lock, "utf8"))).toMatchObject({ pid: holder.child.pid, host: hostname() });

    // A crash leaves the lock behind; the next run sees that its process is gone and takes it over.
    await waitUntil(() => readRecords(out).length >= 1, 30_000, "a first record");
    holder.child.kill("SIGKILL");
    await holder.done;
    expect(existsSync(lock)).toBe(true);
    const successor = startCli([...args, "--resume"], { env: httpEnv() });
    await waitUntil(
      () => existsSync(lock) && readFileSync(lock, "utf8").includes(`"pid":${successor.child.pid}`),
      30_000,
      "the successor's lock",
    );
    // SIGTERM and SIGINT release it, and the records so far stay.
    successor.child.kill("SIGTERM");
    const stopped = await successor.done;
    expect(stopped.signal ?? stopped.code).toBeTruthy();
    expect(existsSync(lock)).toBe(false);

    sim.server.setLatency({});
    const last = await runCliInProcess([...args, "--resume"], { env: httpEnv() });
    expect(last.code, last.stderr).toBe(0);
    expect(readRecords(out)).toHaveLength(30);
    expect(existsSync(lock)).toBe(false);
  });

  it.each([
    ["the input itself", (dir: string, input: string) => input, /--out .* is the input/],
    ["a directory", (dir: string) => dir, /--out .* is a directory/],
    [
      "in a missing folder",
      (dir: string) => join(dir, "nope", "out.jsonl"),
      /--out .*folder .* does not exist/,
    ],
    ["a device", () => "/dev/null", /--out \/dev\/null is not a regular file/],
    [
      "not a results file",
      (dir: string) => {
        const path = join(dir, "notes.jsonl");
        writeFileSync(path, `${JSON.stringify({ id: "q1", prompt: "What is tea?" })}\n`);
        return path;
      },
      /--out .*notes\.jsonl is not a results file/,
    ],
  ])(
    "refuses an --out that is %s with a usage error before any query runs",
    async (_what, outOf, pattern) => {
      const dir = tempDir();
      const input = join(dir, "queries.jsonl");
      writeFileSync(input, `${JSON.stringify({ id: "a", prompt: "How do I brew green tea?" })}\n`);
      const out = outOf(dir, input);
      const before =
        existsSync(out) && !out.startsWith("/dev") && out !== dir ? readFileSync(out, "utf8") : null;
      for (const extra of [[], ["--resume"]]) {
        const result = await runCliInProcess(["batch", input, "--out", out, ...extra], { env: httpEnv() });
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toMatch(pattern);
        expect(result.stderr).not.toMatch(/padEnd/);
      }
      expect(sim.server.stats.count("/v1/chat/completions")).toBe(0);
      if (before !== null) expect(readFileSync(out, "utf8")).toBe(before);
    },
  );
});

describe("tpo batch input", () => {
  it("accepts a byte-order mark in JSONL and in a JSON array", async () => {
    const dir = tempDir();
    const jsonl = join(dir, "bom.jsonl");
    writeFileSync(
      jsonl,
      `\uFEFF${JSON.stringify({ id: "a", prompt: "How do I brew green tea?" })}\n${JSON.stringify({ id: "b", prompt: "Name a fruit." })}\n`,
    );
    const array = join(dir, "bom.json");
    writeFileSync(array, `\uFEFF${JSON.stringify(["How do I brew green tea?"])}`);
    for (const input of [jsonl, array]) {
      const out = `${input}.out`;
      const result = await runCliInProcess(["batch", input, "--out", out, "--depth", "0"]);
      expect(result.code, result.stderr).toBe(0);
      expect(readRecords(out).every((r) => !r.error)).toBe(true);
    }
    expect(readRecords(`${jsonl}.out`).map((r) => r.id)).toEqual(["a", "b"]);
  });

  it("stops at once on a binary file with one error, and never echoes raw control bytes", async () => {
    const dir = tempDir();
    const binary = join(dir, "image.png");
    const bytes = Buffer.alloc(64 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + (i >> 7)) % 256;
    writeFileSync(binary, bytes);
    const out = join(dir, "out.jsonl");
    const result = await runCliInProcess(["batch", binary, "--out", out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/does not look like JSONL or a JSON array/);
    expect(result.stderr.split("\n").length).toBeLessThan(5);
    expect(result.stderr).not.toMatch(CONTROL);
    expect(readRecords(out)).toHaveLength(0);

    // A readable file with one line of terminal escapes: recorded as an error, echoed escaped.
    const input = join(dir, "queries.jsonl");
    writeFileSync(
      input,
      [
        JSON.stringify({ id: "a", prompt: "How do I brew green tea?" }),
        "\u001b[2J\u001b[31mgotcha",
        JSON.stringify({ id: "b\u001b[2J", prompt: 7 }),
      ].join("\n"),
    );
    const escaped = await runCliInProcess(["batch", input, "--out", join(dir, "q.jsonl"), "--depth", "0"]);
    expect(escaped.code).toBe(1);
    expect(escaped.stderr).toMatch(/line 2: invalid JSON/);
    expect(escaped.stderr).toMatch(/\\u001b\[2J/);
    expect(escaped.stderr).not.toMatch(CONTROL);
  });

  it("says so when there is nothing to run", async () => {
    const dir = tempDir();
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "\n\n");
    const result = await runCliInProcess(["batch", empty, "--out", join(dir, "out.jsonl")]);
    expect(result.code).toBe(0);
    expect(result.stderr + result.stdout).toMatch(/no queries.*nothing to run/);
  });
});

describe("tpo batch failures", () => {
  it("counts failed queries out of the queries it ran", async () => {
    const dir = tempDir();
    const input = oneFailingQuery(sim.server, dir);
    const result = await runCliInProcess(["batch", input, "--out", join(dir, "out.jsonl"), "--depth", "0"], {
      env: httpEnv(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/1 of 2 queries failed/);
  });

  it("stops the queries in flight when writing the results fails, and says so", async () => {
    const dir = tempDir();
    const [fast, slow] = samplePrompts();
    const input = join(dir, "prompts.json");
    writeFileSync(input, JSON.stringify([fast, slow, ...samplePrompts().slice(2, 6)]));
    // The second query's requests are slow: it is in flight when the first one's record is written.
    sim.server.setFaults([
      { kind: "delay", ms: 1_500, when: (request) => JSON.stringify(request.body).includes(slow) },
    ]);
    const out = join(dir, "out.jsonl");
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(httpEnv())) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    // A file size limit (2 KiB) stands in for a full disk: the first record's write fails (EFBIG).
    const child = spawn(
      "bash",
      [
        "-c",
        'ulimit -f 2 && exec "$0" --import tsx src/cli/main.ts "$@"',
        process.execPath,
        "batch",
        input,
        "--out",
        out,
        "--depth",
        "2",
        "--width",
        "2",
        "--concurrency",
        "2",
        "--quiet",
      ],
      { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
      child.on("close", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/writing .*out\.jsonl failed/);
    expect(stderr).toMatch(/--resume/);
    // The slow query was stopped in its first step (it takes 7 requests in all), and no other started.
    const slowRequests = (sim.server.stats.bodies["/v1/chat/completions"] ?? []).filter((body) =>
      JSON.stringify(body).includes(slow),
    );
    expect(slowRequests.length).toBeLessThanOrEqual(2);
    expect(queriesSeen()).toEqual(new Set([fast, slow]));
  });
});
