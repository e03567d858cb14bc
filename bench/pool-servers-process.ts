/**
 * Several simulated servers with a capacity (at most K requests served at once, the others
 * queued), in a process of their own, for `--only pools`: their CPU is not the client's. Started
 * by pools.ts with the options as JSON in argv[2]; answers "stats" over IPC; ends with its parent.
 */
import { startSimServer, type SimServerOptions } from "../src/sim/server.js";

export interface PoolServersOptions {
  count: number;
  server: SimServerOptions;
}

export interface PoolServerStats {
  url: string;
  requests: number;
  peakInFlight: number;
  /** Mean time a request waited in the server's queue before it was served. */
  meanQueueMs: number;
  /** Milliseconds spent serving requests (their latencies), summed. */
  servingMs: number;
  /** CPU time of the servers' process so far (all the servers of the pool). */
  cpuS: number;
}

if (!process.send) throw new Error("bench/pool-servers-process.ts runs as a forked child of bench/pools.ts.");

const options = JSON.parse(process.argv[2] ?? "{}") as PoolServersOptions;
const servers = await Promise.all(
  Array.from({ length: options.count }, () =>
    startSimServer({ ...options.server, port: 0, host: "127.0.0.1" }),
  ),
);

process.on("message", (command: { id: number; op: "stats" }) => {
  if (command.op !== "stats") return;
  const { user, system } = process.cpuUsage();
  const data: PoolServerStats[] = servers.map((s) => {
    const posts = s.stats.log.filter((r) => r.method === "POST" && r.startedAt !== undefined);
    const queued = posts.reduce((sum, r) => sum + (r.startedAt! - r.arrivedAt!), 0);
    return {
      url: s.url,
      requests: posts.length,
      peakInFlight: s.stats.peakInFlight,
      meanQueueMs: posts.length === 0 ? 0 : queued / posts.length,
      servingMs: posts.reduce((sum, r) => sum + (r.delayMs ?? 0), 0),
      cpuS: (user + system) / 1e6,
    };
  });
  process.send?.({ id: command.id, data });
});

process.on("disconnect", () => {
  void Promise.all(servers.map((s) => s.close())).finally(() => process.exit(0));
});

process.send({ ready: true, urls: servers.map((s) => s.url) });
