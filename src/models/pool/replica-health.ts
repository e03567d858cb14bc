import { nodeHttpFetch } from "../../http/transport.js";

/**
 * Which servers are down, for the whole process: a server that failed for one client (the policy)
 * is down for the others that share it (the critic, a copy made by `withConfig`) too.
 */
interface Health {
  /** Until when (ms since the epoch) it gets no traffic; then a probe decides. */
  downUntil: number;
  /** The probe under way, which requests arriving meanwhile do not wait for. */
  probing?: Promise<boolean>;
}

const health = new Map<string, Health>();

/** How long a probe may take before it counts as failed. */
const PROBE_TIMEOUT_MS = 5_000;

/** Whether `url` answers at all: any status below 500 (a 401 or 404 is a server that is up). */
export async function probeUrl(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  try {
    const response = await nodeHttpFetch(url, { method: "GET", signal: AbortSignal.timeout(timeoutMs) });
    await response.text();
    return response.status < 500;
  } catch {
    return false;
  }
}

/** Up, cooling off (no traffic yet), or due a probe before it gets traffic again. */
export function healthState(server: string, now: number): "up" | "cooling" | "probing" | "due" {
  const entry = health.get(server);
  if (!entry) return "up";
  if (entry.probing) return "probing";
  return now < entry.downUntil ? "cooling" : "due";
}

/** Marks a server down: no traffic for `coolOffMs`, then a probe before any. */
export function markDown(server: string, now: number, coolOffMs: number): void {
  const entry = health.get(server);
  if (entry) entry.downUntil = now + coolOffMs;
  else health.set(server, { downUntil: now + coolOffMs });
}

/** Marks a server up: it answered a request or a probe. */
export function markUp(server: string): void {
  health.delete(server);
}

/**
 * Probes a server that is down (one probe at a time, which every caller shares): up again when it
 * answers, down for another cool-off when not. True when it is up.
 */
export function probeServer(
  server: string,
  probe: () => Promise<boolean>,
  coolOffMs: number,
  now: () => number,
): Promise<boolean> {
  const entry = health.get(server);
  if (!entry) return Promise.resolve(true);
  entry.probing ??= probe()
    .catch(() => false)
    .then((up) => {
      if (health.get(server) !== entry) return up;
      entry.probing = undefined;
      if (up) health.delete(server);
      else entry.downUntil = now() + coolOffMs;
      return up;
    });
  return entry.probing;
}
