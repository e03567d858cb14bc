import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = fileURLToPath(new URL("../../node_modules/.bin/langgraphjs", import.meta.url));

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

export interface DevServer {
  url: string;
  /** The server's output so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends a signal to the whole process group: the CLI and the API server it spawned. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

/** Whether a process of the child's group (the CLI, or the server it spawned) is still running. */
function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-child.pid!, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the child's whole group has exited, for at most `ms`; whether it has. */
async function groupGone(child: ChildProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupAlive(child)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * The project's langgraph.json with absolute paths, in a directory of its own: the dev server
 * keeps its threads and checkpoints in `.langgraph_api/` next to the config, and a test should
 * neither read a developer's threads nor leave its own behind. Without the `.env` file, so that
 * nothing in it (a LangSmith key) makes the server talk to anything beyond 127.0.0.1.
 */
async function isolatedConfig(): Promise<{ dir: string; config: string }> {
  const project = JSON.parse(await readFile(join(ROOT, "langgraph.json"), "utf8")) as {
    graphs: Record<string, string>;
    env?: unknown;
    dependencies?: string[];
  };
  delete project.env;
  const dir = await mkdtemp(join(tmpdir(), "tpo-studio-"));
  // The server joins graph paths to the config's directory, so they stay relative, to the project.
  const graphs = Object.fromEntries(
    Object.entries(project.graphs).map(([id, spec]) => {
      const [file, name] = spec.split(":");
      return [id, `${relative(dir, resolve(ROOT, file))}:${name}`];
    }),
  );
  const config = join(dir, "langgraph.json");
  await writeFile(config, JSON.stringify({ ...project, dependencies: [ROOT], graphs }, null, 2));
  return { dir, config };
}

/**
 * Starts `langgraphjs dev` (the LangGraph Studio server) for this project on 127.0.0.1, with no
 * browser, no reload, no analytics and no tracing, and waits until it answers, for at most
 * `timeoutMs`.
 */
export async function startDevServer(timeoutMs = 90_000): Promise<DevServer> {
  const port = await freePort();
  const { dir, config } = await isolatedConfig();
  const url = `http://127.0.0.1:${port}`;
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith("LANGSMITH_") && !key.startsWith("LANGCHAIN_"),
    ),
  );
  const child = spawn(
    CLI,
    ["dev", "--config", config, "--port", String(port), "--host", "127.0.0.1", "--no-browser", "--no-reload"],
    {
      cwd: ROOT,
      detached: true, // its own process group, so that stop() ends the server the CLI spawns too
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...env, LANGGRAPH_CLI_NO_ANALYTICS: "1", BROWSER: "none", LANGSMITH_TRACING: "false" },
    },
  );
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let exited = false;
  // Should the test process end without stop() (a crash), the server must not outlive it.
  const killOnExit = () => signalGroup(child, "SIGKILL");
  process.once("exit", killOnExit);
  const exit = once(child, "exit").then(() => {
    exited = true;
    process.off("exit", killOnExit);
  });

  // The CLI may exit before the server it spawned has written its last files to .langgraph_api/:
  // the folder is removed once the whole group is gone (removing it sooner failed with ENOTEMPTY).
  const stop = async () => {
    signalGroup(child, "SIGTERM");
    if (!(await groupGone(child, 5_000))) {
      signalGroup(child, "SIGKILL");
      await groupGone(child, 5_000);
    }
    await Promise.race([exit, sleep(2_000)]);
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`${url}/ok`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return { url, output: () => output, stop };
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  await stop();
  throw new Error(
    `langgraphjs dev did not answer on ${url} within ${timeoutMs} ms${exited ? " (it exited)" : ""}:\n${output}`,
  );
}
