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
  const data: PoolServerStats[] = servers.map((s) => ({
    url: s.url,
    requests: s.stats.log.filter((r) => r.method === "POST").length,
    peakInFlight: s.stats.peakInFlight,
  }));
  process.send?.({ id: command.id, data });
});

process.on("disconnect", () => {
  void Promise.all(servers.map((s) => s.close())).finally(() => process.exit(0));
});

process.send({ ready: true, urls: servers.map((s) => s.url) });
