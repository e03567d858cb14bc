/**
 * The package as a user meets it: `npm pack` (which runs `prepack`, building dist/), the tarball
 * installed into an empty project outside the checkout, then `npx tpo demo` and
 * `import("langgraph-tpo")` there. Nothing of the checkout is on the empty project's path, so
 * whatever the demo reads must ship in the tarball and be found relative to the installed module.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childEnv, ROOT, removeTempDirs, tempDir } from "./helpers/cli.js";
import { extractSnippets } from "./helpers/doc-snippets.js";
import { samplePrompts } from "./helpers/records.js";

/**
 * The pages whose every ```ts block runs as pasted, offline: each block saved as an `.mts` file in
 * the empty project and run with tsx, as each page's note says. A page joins the list when all of
 * its examples run in the simulated world. docs/agents.md's run last, once langchain is installed.
 */
const RUNNABLE_PAGES = ["docs/library.md", "docs/embedding.md"];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`); fails naming the command and its output. */
function run(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`Cannot start \`${command}\`: ${error.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const shown = `\`${[command, ...args].join(" ")}\` in ${cwd}`;
      const output = `--- stdout ---\n${stdout.slice(-3000)}\n--- stderr ---\n${stderr.slice(-3000)}`;
      if (timedOut) reject(new Error(`${shown} did not finish within ${timeoutMs / 1000} s.\n${output}`));
      else if (code !== 0) reject(new Error(`${shown} exited with ${code}.\n${output}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

interface PackedFile {
  path: string;
}

let project: string;
let packed: PackedFile[];

beforeAll(async () => {
  const dir = tempDir();
  const pack = await run("npm", ["pack", "--json", "--pack-destination", dir], ROOT, 120_000);
  const [tarball] = JSON.parse(pack.stdout) as { filename: string; files: PackedFile[] }[];
  packed = tarball.files;
  project = join(dir, "empty-project");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "empty-project", version: "1.0.0", private: true }),
  );
  // --ignore-scripts: better-sqlite3 (for --checkpoint) would otherwise compile from source, a
  // minute of both cores where no prebuilt binary can be downloaded; neither check opens SQLite.
  await run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--ignore-scripts",
      join(dir, tarball.filename),
      // What the pages' notes ask for: tsx runs the examples, and one example is an OpenAI client.
      "tsx",
      "openai",
    ],
    project,
    180_000,
  );
}, 330_000);

afterAll(removeTempDirs);

describe("the packed package, installed into an empty project", () => {
  it("ships the sample prompts and their notes in data/", () => {
    const paths = packed.map((file) => file.path);
    expect(paths).toContain("data/tpo-sample-prompts.json");
    expect(paths).toContain("data/README.md");
    const installed = join(project, "node_modules", "langgraph-tpo", "data", "tpo-sample-prompts.json");
    expect(readFileSync(installed, "utf8")).toBe(
      readFileSync(join(ROOT, "data", "tpo-sample-prompts.json"), "utf8"),
    );
  });

  it("ships the manual that README.md links into: docs/", () => {
    const paths = packed.map((file) => file.path);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const linked = [...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map(([, path]) => path);
    expect(linked).toContain("docs/cli.md");
    expect(paths).toContain("README.md");
    expect(linked.filter((path) => existsSync(join(ROOT, path)) && !paths.includes(path))).toEqual([]);
  });

  it("has no script that runs when it is installed (npm 11 would ask allowScripts for it)", () => {
    const installed = join(project, "node_modules", "langgraph-tpo", "package.json");
    const { scripts = {} } = JSON.parse(readFileSync(installed, "utf8")) as {
      scripts?: Record<string, string>;
    };
    const lifecycle = /^(pre|post)?(install|prepare)$/;
    expect(Object.keys(scripts).filter((name) => lifecycle.test(name))).toEqual([]);
  });

  it("runs `npx tpo demo` on the shipped sample prompts", async () => {
    const demo = await run("npx", ["--no-install", "tpo", "demo", "--count", "1"], project, 60_000);
    expect(demo.stdout).toContain("TPO in the simulated world");
    expect(demo.stdout).toContain(`Query 1: ${samplePrompts()[0].split("\n")[0].slice(0, 100)}`);
    expect(demo.stdout).toMatch(/best response \(score -?\d+\.\d\d, iteration \d\)/);
  });

  it("is importable as an ES module whose graph runs in the simulated world", async () => {
    const script = `
      const m = await import("langgraph-tpo");
      const core = await import("langgraph-tpo/core");
      const graph = m.createTpoGraph(m.createSimWorld(7));
      const result = await graph.invoke({ query: "How do I brew green tea?" }, { context: { width: 2, depth: 1 } });
      console.log(JSON.stringify({
        exports: ["createTpoGraph", "createSimWorld", "createOpenAIChatModel", "createHttpRewardModel", "TpoChatModel"]
          .filter((name) => typeof m[name] === "function"),
        settings: typeof m.parseTpoContext,
        core: typeof core.createTpoGraph,
        history: result.history.length,
        best: typeof result.best?.text,
      }));
    `;
    const imported = await run(process.execPath, ["--input-type=module", "-e", script], project, 60_000);
    expect(JSON.parse(imported.stdout)).toEqual({
      exports: [
        "createTpoGraph",
        "createSimWorld",
        "createOpenAIChatModel",
        "createHttpRewardModel",
        "TpoChatModel",
      ],
      settings: "function",
      core: "function",
      history: 2,
      best: "string",
    });
  });

  it.each(RUNNABLE_PAGES)(
    "runs every example of %s as pasted, as an .mts file with tsx",
    async (page) => {
      const text = readFileSync(join(ROOT, page), "utf8");
      expect(text.split("\n").slice(0, 12).join("\n")).toMatch(/example\.mts.*npx tsx example\.mts/s);
      const snippets = extractSnippets(page, text);
      expect(snippets.length).toBeGreaterThan(0);
      const tsx = join(project, "node_modules", ".bin", "tsx");
      // A page's examples may read what a command it names first writes ("After `TPO_BACKEND=sim npx tpo …`:").
      for (const [, command] of text.matchAll(/After\s+`(TPO_BACKEND=sim npx tpo [^`]+)`/g)) {
        await run("sh", ["-c", command], project, 120_000, childEnv({}));
      }
      for (const snippet of snippets) {
        const file = join(project, `${page.replace(/\W/g, "-")}-${snippet.line}.mts`);
        writeFileSync(file, snippet.code);
        // The simulated world, for the example that reads its models from the environment.
        const env = childEnv({ TPO_BACKEND: "sim" });
        await run(tsx, [file], project, 120_000, env).catch((error: Error) => {
          throw new Error(`${page}:${snippet.line}: ${error.message}`);
        });
      }
    },
    600_000,
  );

  it("loads langgraph-tpo/langchain only with langchain: without it, one line says what to install", async () => {
    // The empty project has no langchain (an optional peer dependency); the other entries work without it.
    const script = `
      const main = await import("langgraph-tpo");
      try {
        await import("langgraph-tpo/langchain");
        console.log(JSON.stringify({ loaded: true }));
      } catch (error) {
        console.log(JSON.stringify({ name: error.name, message: error.message, tool: typeof main.createTpoTool }));
      }
    `;
    const imported = await run(process.execPath, ["--input-type=module", "-e", script], project, 60_000);
    const { name, message, tool } = JSON.parse(imported.stdout) as Record<string, string>;
    expect(tool).toBe("function");
    expect(name).toBe("TpoConfigError");
    expect(message).toContain("`npm install langchain`");
    expect(message).not.toContain("\n");
  });

  it("runs every example of docs/agents.md as pasted, once what its note asks for is installed", async () => {
    const page = "docs/agents.md";
    const text = readFileSync(join(ROOT, page), "utf8");
    // The note's packages, at this checkout's versions: the test must not change with the registry.
    const versionOf = (name: string) =>
      (
        JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as {
          version: string;
        }
      ).version;
    const packages = ["langchain", "@langchain/mcp-adapters", "@modelcontextprotocol/sdk"];
    for (const name of packages) expect(text).toContain(name);
    await run(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--ignore-scripts",
        ...packages.map((n) => `${n}@${versionOf(n)}`),
      ],
      project,
      300_000,
    );
    const snippets = extractSnippets(page, text);
    expect(snippets.length).toBeGreaterThanOrEqual(4);
    for (const snippet of snippets) {
      // As the page says: plain JavaScript, saved as agent.mjs, run with node.
      const file = join(project, `agents-md-${snippet.line}.mjs`);
      writeFileSync(file, snippet.code);
      await run(process.execPath, [file], project, 180_000, childEnv({ TPO_BACKEND: "sim" })).catch(
        (error: Error) => {
          throw new Error(`${page}:${snippet.line}: ${error.message}`);
        },
      );
    }
  }, 900_000);
});
