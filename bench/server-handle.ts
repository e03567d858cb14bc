import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { MemoryJob, MemorySample } from "./memory-process.js";
import type { LoggedRequest, ServerSnapshot } from "./server-process.js";

const SCRIPT = fileURLToPath(new URL("./server-process.ts", import.meta.url));
const START_TIMEOUT_MS = 30_000;
const COMMAND_TIMEOUT_MS = 30_000;

/** The parent's handle on the simulated server running in a child process. */
export interface ServerHandle {
  url: string;
  setLatency(fixedMs: number): Promise<void>;
  reset(): Promise<void>;
  stats(options?: { bodies?: boolean }): Promise<ServerSnapshot>;
  /** Every request since the last reset, with its arrival and answer times. */
  log(): Promise<LoggedRequest[]>;
  close(): Promise<void>;
}

const children = new Set<ChildProcess>();
// Last resort: whatever way the bench ends, no server process outlives it.
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

export async function startServerProcess(fixedMs = 0): Promise<ServerHandle> {
  const child = fork(SCRIPT, [String(fixedMs)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  const pending = new Map<number, { resolve: (data: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("the sim server process did not start")),
      START_TIMEOUT_MS,
    );
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the sim server process exited with code ${code}`)));
    child.on("message", (message: { ready?: boolean; url?: string }) => {
      if (message.ready && message.url) {
        clearTimeout(timer);
        resolve(message.url);
      }
    });
  }).catch((error: unknown) => {
    child.kill("SIGKILL");
    children.delete(child);
    throw error;
  });

  child.on("message", (message: { id?: number; data?: unknown }) => {
    if (message.id === undefined) return;
    pending.get(message.id)?.resolve(message.data);
    pending.delete(message.id);
  });
  child.on("exit", () => {
    exited = true;
    children.delete(child);
    for (const { reject } of pending.values()) reject(new Error("the sim server process exited"));
    pending.clear();
  });

  const command = <T>(op: string, extra: object = {}): Promise<T> => {
    if (exited) return Promise.reject(new Error("the sim server process has exited"));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the sim server process did not answer "${op}"`));
      }, COMMAND_TIMEOUT_MS);
      pending.set(id, {
        resolve: (data) => {
          clearTimeout(timer);
          resolve(data as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ id, op, ...extra });
    });
  };

  return {
    url,
    setLatency: (ms) => command("latency", { fixedMs: ms }),
    reset: () => command("reset"),
    stats: (options = {}) => command<ServerSnapshot>("stats", { bodies: options.bodies ?? false }),
    log: () => command<LoggedRequest[]>("log"),
    close: async () => {
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await done;
      clearTimeout(timer);
    },
  };
}

const MEMORY_SCRIPT = fileURLToPath(new URL("./memory-process.ts", import.meta.url));
const MEMORY_TIMEOUT_MS = 300_000;

/** Runs one memory measurement in a fresh client process (see memory-process.ts). */
export async function runMemoryProcess(job: MemoryJob): Promise<MemorySample> {
  const child = fork(MEMORY_SCRIPT, [], {
    execArgv: ["--expose-gc", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  try {
    return await new Promise<MemorySample>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("the memory measurement timed out")),
        MEMORY_TIMEOUT_MS,
      );
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`the memory process exited with code ${code}`)));
      child.on("message", (message: { ok: boolean; sample?: MemorySample; error?: string }) => {
        clearTimeout(timer);
        if (message.ok && message.sample) resolve(message.sample);
        else reject(new Error(`the memory measurement failed: ${message.error}`));
      });
      child.send(job);
    });
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    children.delete(child);
  }
}
