import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BatchRecord } from "../src/eval/batch/record.js";
import { startSimServer } from "../src/index.js";
import type { SimServer } from "../src/sim/server.js";
import { killChildren, removeTempDirs, ROOT, runCliInProcess, tempDir } from "./helpers/cli.js";
import { sampleBatch } from "./helpers/sample-batch.js";

/** What a hostile model answers: a window title, a screen clear, a clipboard write, a link, a carriage return. */
const HOSTILE =
  "Sure.\u001b]0;pwned\u0007 \u001b[2J\u001b]52;c;ZXZpbA==\u0007 \u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\\rOverwritten\u009b31m\nline two";
/** Raw control characters that a terminal acts on (tab and newline apart). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

let server: SimServer;
let records: BatchRecord[];

beforeAll(async () => {
  server = await startSimServer();
  ({ records } = await sampleBatch(2));
});

afterAll(async () => {
  await server?.close();
  removeTempDirs();
});

afterEach(() => {
  killChildren();
  server.setFaults([]);
});

const lines = (list: unknown[]) => list.map((value) => `${JSON.stringify(value)}\n`).join("");

/** The policy and critic on the simulated server (answering HOSTILE), the reward server beside it. */
function hostileEnv(): Record<string, string | undefined> {
  return {
    TPO_BACKEND: "openai",
    OPENAI_BASE_URL: `${server.url}/v1`,
    TPO_MODEL: "tpo-sim",
    TPO_REWARD_URL: server.url,
    TPO_REWARD_KIND: "tei",
  };
}

/** `tpo <args>` on a pseudo-terminal (util-linux `script`): what a person would see. */
function onTerminal(args: string[], env: Record<string, string | undefined>): Promise<string> {
  const command = [process.execPath, "--import", "tsx", join(ROOT, "src", "cli", "main.ts"), ...args]
    .map((part) => `'${part.replace(/'/g, "'\\''")}'`)
    .join(" ");
  return new Promise((resolve) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd: ROOT,
      env: { ...process.env, ...env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

describe("text from a model", () => {
  it("reaches a terminal escaped: --explain (also redirected) and the answer on a terminal; piped stdout stays byte-exact", async () => {
    server.setFaults([{ kind: "reply", content: HOSTILE }]);
    const query = "How do I take care of a wooden table?";
    const [explained, piped, full, terminal] = await Promise.all([
      runCliInProcess(["run", "--explain", query, "--width", "2", "--depth", "1"], { env: hostileEnv() }),
      runCliInProcess(["run", query, "--width", "2", "--depth", "1"], { env: hostileEnv() }),
      runCliInProcess(["run", "--explain=full", query, "--width", "2", "--depth", "1"], {
        env: hostileEnv(),
      }),
      onTerminal(["run", query, "--width", "2", "--depth", "1"], hostileEnv()),
    ]);
    for (const result of [explained, full]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain("Sure.\\u001b]0;pwned\\u0007");
      expect(result.stderr).not.toMatch(RAW_CONTROL);
    }
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe(`${HOSTILE}\n`);
    // The terminal turns "\n" into "\r\n" itself; nothing else may be raw.
    const seen = terminal.replace(/\r\n/g, "\n");
    expect(seen).toContain("Sure.\\u001b]0;pwned\\u0007");
    expect(seen).not.toMatch(RAW_CONTROL);
  });
});

describe("text from a file", () => {
  it("reaches a terminal escaped: report's summary, export's model name, demo's prompts", async () => {
    const work = tempDir();
    const crafted = join(work, "crafted.jsonl");
    const evil = "\u001b]0;pwned\u0007\u001b[2J";
    writeFileSync(
      crafted,
      lines(
        records.map((r, i) => ({
          ...r,
          settings: { ...r.settings, systemPrompt: i === 0 ? `Be kind.${evil}` : "Be brief." },
          models: { backend: "openai", model: `org/model${evil}` },
        })),
      ),
    );
    const prompts = join(work, "prompts.json");
    writeFileSync(prompts, JSON.stringify([`Tell me about tea.${evil}`]));
    const [report, exported, demo] = await Promise.all([
      runCliInProcess(["report", crafted, "--out", join(work, "r.html")]),
      runCliInProcess(["export", crafted, "--format", "arena-hard", "--out", join(work, "a.jsonl")]),
      runCliInProcess(["demo", "--prompts", prompts, "--count", "1"]),
    ]);
    for (const result of [report, exported, demo]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL);
      expect(result.stdout).toContain("\\u001b]0;pwned\\u0007");
    }
    // The file itself is data: the name as it was.
    const line = JSON.parse(readFileSync(join(work, "a.jsonl"), "utf8").split("\n")[0]) as { model: string };
    expect(line.model).toBe(`model${evil}-tpo`);
  });
});
