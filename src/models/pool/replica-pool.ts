import { redactUrls } from "../../http/redact.js";
import { healthState, markDown, markUp, probeServer, probeUrl } from "./replica-health.js";
import { rendezvousOrder } from "./rendezvous.js";
import { recordReplicaUsage, type ReplicaCounts } from "./replica-usage.js";

/** One server of a pool. */
export interface Replica {
  /** The URL requests go to, as configured (credentials included). */
  url: string;
  /** The URL as messages and usage figures show it: without credentials. */
  shown: string;
  /** What a probe GETs before the server gets traffic again after a failure. */
  probeUrl: string;
}

/** How a client reads a failed request: whether the query moves to the next server, and why it failed. */
export interface ReplicaFailure {
  /** A connection failure, a timeout or a 5xx, after the client's own retries. */
  failsOver: boolean;
  /** A few words for the error when every server failed, e.g. "connection failed (ECONNREFUSED)". */
  reason: string;
}

export interface ReplicaPoolOptions {
  /** What the servers serve, as errors and usage figures name it: "policy", "critic", "reward", … */
  role: string;
  /**
   * Keep each routing key on one server (rendezvous hashing); off, every request goes to the next
   * server in turn (round robin) and keys are ignored. Default on.
   */
  affinity?: boolean;
  /** How long a failed server gets no traffic before a probe (default 10 s). */
  coolOffMs?: number;
  /** Reads an error of an attempt. */
  classify(error: unknown): ReplicaFailure;
  /** The error to throw when no server could answer; `message` names the role and the servers. */
  allDown(message: string, lastError: unknown): Error;
  /** Probes a server (default: a GET of its probeUrl that gets any answer below 500). */
  probe?(replica: Replica): Promise<boolean>;
  /** The clock, for tests. */
  now?(): number;
}

export const DEFAULT_COOL_OFF_MS = 10_000;

/** What an answer tells about its tokens, for the usage figures per server. */
export type TokensOf<T> = (value: T) => Pick<Partial<ReplicaCounts>, "promptTokens" | "cachedPromptTokens">;

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error as { name?: unknown } | null)?.name === "AbortError";
}

/**
 * Several servers of the same model behind one client. Each request goes to the server its routing
 * key hashes to (the same server for every request of a query, so its prefix cache holds the
 * query's prompts), or in turn without affinity. A server that fails (connection, timeout or 5xx,
 * after the client's retries) is marked down for a cool-off, and the request goes on to the next
 * server in the key's order; after the cool-off a probe decides whether it gets traffic again.
 * Only when no server can answer does the request fail, with one error naming the role and every
 * server. A pool of one server sends to it and nothing else: no hashing, no marking, no probing.
 */
export class ReplicaPool {
  readonly replicas: readonly Replica[];
  private readonly affinity: boolean;
  private readonly coolOffMs: number;
  private readonly now: () => number;
  private turn = 0;

  constructor(
    replicas: readonly Omit<Replica, "shown">[],
    private readonly options: ReplicaPoolOptions,
  ) {
    this.replicas = replicas.map((replica) => ({ ...replica, shown: redactUrls(replica.url) }));
    this.affinity = options.affinity ?? true;
    this.coolOffMs = options.coolOffMs ?? DEFAULT_COOL_OFF_MS;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.replicas.length;
  }

  /** The servers in the order a request with this key tries them. */
  order(key: string | undefined): Replica[] {
    if (this.affinity && key !== undefined) return rendezvousOrder(key, this.replicas, (r) => r.shown);
    const start = this.turn++ % this.replicas.length;
    return [...this.replicas.slice(start), ...this.replicas.slice(0, start)];
  }

  /**
   * Sends one request with `attempt` (which does its own retries) to the servers in the key's
   * order, until one answers. Errors that do not fail over (a 400, an abort) are thrown at once.
   */
  async send<T>(
    key: string | undefined,
    attempt: (replica: Replica) => Promise<T>,
    { signal, tokensOf }: { signal?: AbortSignal; tokensOf?: TokensOf<T> } = {},
  ): Promise<T> {
    if (this.replicas.length === 1) return attempt(this.replicas[0]);
    const failed: { replica: Replica; reason: string }[] = [];
    const skipped: Replica[] = [];
    let lastError: unknown;
    const tryOn = async (replica: Replica): Promise<{ value: T } | null> => {
      try {
        const value = await attempt(replica);
        markUp(replica.url);
        this.record(replica, { requests: 1, ...tokensOf?.(value) });
        return { value };
      } catch (error) {
        if (isAbort(error, signal)) throw error;
        this.record(replica, { failures: 1 });
        const failure = this.options.classify(error);
        if (!failure.failsOver) throw error;
        markDown(replica.url, this.now(), this.coolOffMs);
        failed.push({ replica, reason: failure.reason });
        lastError = error;
        return null;
      }
    };
    for (const replica of this.order(key)) {
      if (!(await this.ready(replica))) {
        skipped.push(replica);
        continue;
      }
      const answered = await tryOn(replica);
      if (answered) return answered.value;
    }
    // Every server failed or is cooling off: one that is cooling off may be back already.
    for (const replica of skipped) {
      if (signal?.aborted) throw signal.reason;
      if (!(await this.probe(replica))) {
        failed.push({ replica, reason: "down, and it did not answer a probe" });
        continue;
      }
      const answered = await tryOn(replica);
      if (answered) return answered.value;
    }
    throw this.options.allDown(this.allDownMessage(failed), lastError);
  }

  /** Whether a server may take a request now: up, or due a probe that it answers. */
  private async ready(replica: Replica): Promise<boolean> {
    const state = healthState(replica.url, this.now());
    if (state === "up") return true;
    if (state !== "due") return false;
    return this.probe(replica);
  }

  private probe(replica: Replica): Promise<boolean> {
    const probe = this.options.probe ? () => this.options.probe!(replica) : () => probeUrl(replica.probeUrl);
    return probeServer(replica.url, probe, this.coolOffMs, this.now);
  }

  private record(replica: Replica, counts: Partial<ReplicaCounts>): void {
    recordReplicaUsage(this.options.role, replica.shown, counts);
  }

  private allDownMessage(failed: { replica: Replica; reason: string }[]): string {
    const reasons = this.replicas.map((replica) => {
      const failure = failed.find((f) => f.replica === replica);
      return `${replica.shown} (${failure ? redactUrls(failure.reason) : "down"})`;
    });
    return `All ${this.replicas.length} ${this.options.role} servers are down: ${reasons.join("; ")}.`;
  }
}
