/**
 * What a newcomer meets in the first hour (issue 28): the simulated world never answers in place
 * of a server the user named, `--version`, a data set without a query field, a port in use.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startSimServer } from "../src/sim/server.js";
import {
  killChildren,
  removeTempDirs,
  ROOT,
  runCliInProcess,
  runCli,
  startCli,
  tempDir,
  waitUntil,
} from "./helpers/cli.js";

afterEach(killChildren);
afterAll(removeTempDirs);

/** A port where nothing listens: the user's server is not up. */
const NOWHERE = "http://127.0.0.1:9/v1";

describe("TPO_BACKEND=sim next to a server URL", () => {
  const refusal = /^tpo: TPO_BACKEND=sim .* but OPENAI_BASE_URL .*: unset TPO_BACKEND/;

  it.each([
    ["run", ["run", "How do I take care of a wooden table?"]],
    ["batch", ["batch", "-", "--out", "OUT"]],
    ["serve", ["serve", "--port", "0"]],
    ["mcp", ["mcp"]],
  ])("is refused by tpo %s in one line, exit 2, before any answer", async (_, args) => {
    const out = join(tempDir(), "out.jsonl");
    const result = await runCli(
      args.map((a) => (a === "OUT" ? out : a)),
      { env: { TPO_BACKEND: "sim", OPENAI_BASE_URL: NOWHERE, TPO_MODEL: "llama" }, input: '"q"\n' },
    );
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(refusal);
    expect(result.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it.each([["run", "q"], ["serve", "--port", "0"], ["mcp"], ["worker", "postgres://127.0.0.1:9/tpo"]])(
    "is refused with --reward-url too, naming its flag (tpo %s: every front end takes the model flags)",
    async (...args) => {
      // serve, mcp and worker serve until a signal once past their checks: processes of their own.
      const result = await runCli([...args, "--reward-url", "http://127.0.0.1:9", "--reward-kind", "tei"]);
      expect(result.stderr).toMatch(/TPO_REWARD_URL \(--reward-url\) names a server: unset TPO_BACKEND/);
      expect(result.code).toBe(2);
    },
  );
});

describe("tpo --version", () => {
  it("prints the package's version, as -V does", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const result = await runCliInProcess([flag]);
      expect(result.stdout.trim()).toBe(version);
      expect(result.code).toBe(0);
    }
  });
});

describe("a data set without a query field", () => {
  it("is one error naming the fields read, exit 2, before any record or summary", async () => {
    const dir = tempDir();
    const input = join(dir, "questions.jsonl");
    const out = join(dir, "out.jsonl");
    writeFileSync(input, '{"question_text": "What?"}\n{"question_text": "Why?"}\n');
    const result = await runCliInProcess(["batch", input, "--out", out]);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /none of its 2 entries has a query .*"prompt".*"instruction".*"turns".*"messages"/,
      ),
    ]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it("reads AlpacaEval's instruction and Arena-Hard's turns", async () => {
    const dir = tempDir();
    const input = join(dir, "eval.jsonl");
    const out = join(dir, "out.jsonl");
    writeFileSync(
      input,
      '{"instruction": "Alpaca?"}\n{"question_id": "a1", "turns": [{"content": "Arena?"}]}\n',
    );
    const result = await runCliInProcess([
      "batch",
      input,
      "--out",
      out,
      "--depth",
      "1",
      "--width",
      "2",
      "--quiet",
    ]);
    expect(result.code).toBe(0);
    const queries = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { query: string }).query);
    expect(queries.sort()).toEqual(["Alpaca?", "Arena?"]);
  });
});

describe("tpo sim-server on a port in use", () => {
  it("says which port and how to take another, in one line, exit 2", async () => {
    const taken = await startSimServer({ port: 0 });
    try {
      const port = new URL(taken.url).port;
      const result = await runCli(["sim-server", "--port", port]);
      expect(result.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(new RegExp(`^tpo: port ${port} on 127\\.0\\.0\\.1 is in use.*--port 0`)),
      ]);
      expect(result.code).toBe(2);
    } finally {
      await taken.close();
    }
  });
});

describe("results of tpo sim-server", () => {
  /** The simulated server reached as a user reaches a real one: --backend openai, a model name of theirs. */
  async function asARealServer<T>(use: (env: Record<string, string | undefined>) => Promise<T>): Promise<T> {
    const server = await startSimServer({ port: 0 });
    try {
      return await use({
        TPO_BACKEND: "openai",
        OPENAI_BASE_URL: `${server.url}/v1`,
        TPO_MODEL: "my-llama",
        TPO_REWARD_URL: server.url,
        TPO_REWARD_KIND: "vllm-pooling",
      });
    } finally {
      await server.close();
    }
  }

  it("are labelled simulated in the batch summary, the records and the report, whatever the flag", async () => {
    const dir = tempDir();
    const out = join(dir, "out.jsonl");
    await asARealServer(async (env) => {
      const batch = await runCli(["batch", "-", "--out", out, "--depth", "1", "--width", "2", "--quiet"], {
        env,
        input: '"How do I take care of a wooden table?"\n',
      });
      expect(batch.code).toBe(0);
      expect(batch.stdout).toMatch(/Simulated world: these numbers show the mechanics/);
    });
    const record = JSON.parse(readFileSync(out, "utf8").trim()) as { models: Record<string, string> };
    expect(record.models).toMatchObject({ backend: "openai", model: "my-llama", simulated: "true" });
    const report = await runCliInProcess(["report", out, "--out", join(dir, "report.html")]);
    expect(report.code).toBe(0);
    expect(readFileSync(join(dir, "report.html"), "utf8")).toContain('id="simulated"');
  });

  it("are labelled simulated in the playground, whatever the flag", async () => {
    await asARealServer(async (env) => {
      const serve = startCli(["serve", "--port", "0", "--ui"], { env });
      await waitUntil(() => /listening on http/.test(serve.output()), 30_000, "tpo serve to listen");
      const url = /listening on (http:\/\/[^\s]+)/.exec(serve.output())![1];
      const page = await (await fetch(`${url}/`)).text();
      expect(page).toContain('id="note"');
      expect(page).toMatch(/Simulated world/);
      serve.child.kill("SIGTERM");
      await serve.done;
    });
  });
});
