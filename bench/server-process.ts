/**
 * The simulated server in a process of its own, so that the benchmark client's CPU time and
 * memory are our orchestration only. The parent controls it over the IPC channel: latency,
 * reset, and snapshots of the request counts, bodies and the server's own CPU time.
 */
import { startSimServer } from "../src/sim/server.js";

export type ServerCommand =
  | { id: number; op: "latency"; fixedMs: number }
  | { id: number; op: "reset" }
  | { id: number; op: "stats"; bodies?: boolean }
  | { id: number; op: "log" };

/** One request of the log: its path, status, and when it arrived and was answered (epoch ms). */
export interface LoggedRequest {
  path: string;
  status?: number;
  arrivedAt?: number;
  finishedAt?: number;
}

export interface ServerSnapshot {
  requests: Record<string, number>;
  /** Request bodies by path, when asked for. */
  bodies?: Record<string, unknown[]>;
  cpuMs: number;
}

if (!process.send) throw new Error("bench/server-process.ts runs as a forked child of bench/run.ts.");

const fixedMs = Number(process.argv[2] ?? 0);
const server = await startSimServer({ port: 0, host: "127.0.0.1", seed: 0, latency: { fixedMs } });

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const reply = (message: unknown) => process.send?.(message);

process.on("message", (command: ServerCommand) => {
  switch (command.op) {
    case "latency":
      server.setLatency({ fixedMs: command.fixedMs });
      return reply({ id: command.id, ok: true });
    case "reset":
      server.stats.reset();
      return reply({ id: command.id, ok: true });
    case "log": {
      const log: LoggedRequest[] = server.stats.log.map(({ path, status, arrivedAt, finishedAt }) => ({
        path,
        status,
        arrivedAt,
        finishedAt,
      }));
      return reply({ id: command.id, ok: true, data: log });
    }
    case "stats": {
      const snapshot: ServerSnapshot = {
        requests: { ...server.stats.requests },
        bodies: command.bodies ? server.stats.bodies : undefined,
        cpuMs: cpuMs(),
      };
      return reply({ id: command.id, ok: true, data: snapshot });
    }
  }
});

// The parent going away closes the channel: stop with it, whatever the reason.
process.on("disconnect", () => {
  void server.close().finally(() => process.exit(0));
});

reply({ ready: true, url: server.url });
