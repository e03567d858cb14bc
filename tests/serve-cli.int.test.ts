import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** Resolves with the first match of `pattern` in the child's output, or fails after `ms`. */
function waitFor(
  child: ChildProcess,
  output: { text: string },
  pattern: RegExp,
  ms = 30_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${ms} ms; output:\n${output.text}`)),
      ms,
    );
    const check = () => {
      const match = pattern.exec(output.text);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolve(match);
      }
    };
    child.stdout?.on("data", check);
    check();
  });
}

describe("tpo serve", () => {
  it("serves TPO in the simulated world with the API key from the environment and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--port", "0"], {
      env: { ...process.env, TPO_BACKEND: "sim", TPO_SERVER_API_KEY: "cli-key" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    const output = { text: "" };
    child.stdout.on("data", (data: Buffer) => (output.text += data.toString()));
    child.stderr.on("data", (data: Buffer) => (output.text += data.toString()));
    const [, url] = await waitFor(child, output, /listening on (http:\/\/127\.0\.0\.1:\d+)/);

    const body = JSON.stringify({
      model: "tpo-sim",
      messages: [{ role: "user", content: "How do I take care of a wooden table?" }],
      tpo: { width: 2, depth: 1 },
    });
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
    expect((await post({})).status).toBe(401);
    const response = await post({ authorization: "Bearer cli-key" });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as {
      choices: { message: { content: string } }[];
      tpo: { history: unknown[] };
    };
    expect(completion.choices[0].message.content.length).toBeGreaterThan(0);
    expect(completion.tpo.history).toHaveLength(2);

    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = await exited;
    expect(code).toBe(0);
    expect(output.text).toContain("TPO server closed.");
  });

  it("fails at once with the set-up help when no model is configured", async () => {
    const env = { ...process.env };
    for (const name of ["TPO_BACKEND", "OPENAI_API_KEY", "OPENAI_BASE_URL", "TPO_MODEL"]) delete env[name];
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--port", "0"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stderr = "";
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    const [code] = await once(child, "exit");
    expect(code).toBe(2); // a configuration problem is a usage error, as for run and batch
    expect(stderr).toMatch(/No model is configured.*TPO_BACKEND=sim/);
  });
});
