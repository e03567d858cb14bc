import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSimServer } from "../src/sim/server.js";
import { killChildren, removeTempDirs, runCliInProcess, runCli, tempDir } from "./helpers/cli.js";
import { simServerEnv } from "./helpers/sim-http.js";

afterEach(() => {
  killChildren();
  removeTempDirs();
});

const QUERY = "How do I take care of a wooden table?";

describe("tpo run", () => {
  it("prints nothing but the answer on stdout when it is not a terminal, and exits 0", async () => {
    const plain = await runCliInProcess(["run", QUERY, "--seed", "3", "--depth", "1"]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe("");
    const json = await runCliInProcess(["run", QUERY, "--seed", "3", "--depth", "1", "--json"]);
    expect(json.code).toBe(0);
    const output = JSON.parse(json.stdout);
    expect(plain.stdout).toBe(`${output.best.text}\n`);
    expect(Object.keys(output)).toEqual(
      expect.arrayContaining(["best", "history", "pool", "usage", "settings"]),
    );
    expect(output.history.map((h: { iteration: number }) => h.iteration)).toEqual([0, 1]);
    expect(output.settings).toMatchObject({ depth: 1, seed: 3, width: 5, mode: "tpo" });
    expect(output.usage.modelRequests).toBe(4);
  });

  it("runs depths beyond LangGraph's default recursion limit", async () => {
    const deep = await runCliInProcess(["run", QUERY, "--width", "1", "--depth", "6", "--json"]);
    expect(deep.code).toBe(0);
    expect(JSON.parse(deep.stdout).history).toHaveLength(7);
  });

  it("reads the query from standard input with -, and a conversation with --messages", async () => {
    const fromStdin = await runCli(["run", "-", "--width", "2", "--depth", "0", "--json"], {
      input: `${QUERY}\n`,
    });
    expect(fromStdin.code).toBe(0);
    expect(JSON.parse(fromStdin.stdout).query).toBe(QUERY);

    const file = join(tempDir(), "conversation.json");
    writeFileSync(
      file,
      JSON.stringify([
        { role: "user", content: "I have an oak table." },
        { role: "assistant", content: "Nice. What would you like to know?" },
        { role: "user", content: QUERY },
      ]),
    );
    const conversation = await runCliInProcess([
      "run",
      "--messages",
      file,
      "--width",
      "2",
      "--depth",
      "1",
      "--json",
    ]);
    expect(conversation.code).toBe(0);
    const output = JSON.parse(conversation.stdout);
    expect(output.messages).toHaveLength(3);
    expect(output.best.text.length).toBeGreaterThan(0);
  });

  it.each([
    [["--width", "0"], "--width"],
    [["--depth", "101"], "--depth"],
    [["--mode", "greedy"], "--mode"],
    [["--top-p", "abc"], "--top-p"],
    [["--temperature", "3"], "--temperature"],
    [["--sampling", "all"], "--sampling"],
    [["--critic-max-tokens", "0"], "--critic-max-tokens"],
    [["--seed", "1.5"], "--seed"],
  ])("exits 2 with one line naming the flag for %j", async (flags, flag) => {
    const result = await runCliInProcess(["run", QUERY, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(flag);
  });

  it("exits 2 on bad usage: unknown option, no query, no model configured", async () => {
    const unknown = await runCliInProcess(["run", QUERY, "--wdith", "3"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--wdith");
    const none = await runCliInProcess(["run"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No query/);
    const noModel = await runCliInProcess(["run", QUERY], { env: { TPO_BACKEND: undefined } });
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/No model is configured/);
    const flagWins = await runCliInProcess(["run", QUERY, "--backend", "sim", "--depth", "0"], {
      env: { TPO_BACKEND: undefined },
    });
    expect(flagWins.code).toBe(0);
  });

  it("exits 1 on a failed run, naming the step that failed", async () => {
    const server = await startSimServer({
      faults: [{ kind: "status", status: 400, path: "/pooling", message: "fail here" }],
    });
    try {
      const result = await runCliInProcess(["run", QUERY], { env: simServerEnv(server) });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toContain(
        `the reward step failed (vllm-pooling reward server at ${server.url}/pooling): `,
      );
      expect(result.stderr).toContain("HTTP 400");
      expect(result.stderr).toContain("fail here");
    } finally {
      await server.close();
    }
  });
});
