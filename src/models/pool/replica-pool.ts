import { redactUrls } from "../../util/redact.js";
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

/**
 * A new query skips a server that already has more than this many times its share of the pool's
 * requests in flight ("consistent hashing with bounded loads"): with a few hundred queries, plain
 * rendezvous hashing leaves one server of four with about a sixth more queries than the mean.
 */
const LOAD_BOUND = 1.25;

/** Queries remembered with the server that answered them (the oldest are forgotten first). */
const REMEMBERED_KEYS = 10_000;

/** What an answer tells about its tokens, for the usage figures per server. */
export type TokensOf<T> = (value: T) => Pick<Partial<ReplicaCounts>, "promptTokens" | "cachedPromptTokens">;

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error as { name?: unknown } | null)?.name === "AbortError";
}

/**
 * Several servers of the same model behind one client. A query's first request goes to the first
 * server of its key's rendezvous ranking (or the next one, while that one has more than its share
 * of requests in flight), and every later request of the query to the server that answered it, so
 * that its prefix cache holds the query's prompts; without affinity, requests go in turn. A server
 * that fails (connection, timeout or 5xx, after the client's retries) is marked down for a
 * cool-off, and the request goes on to the next server of the ranking, where the query then stays;
 * after the cool-off a probe decides whether the server gets traffic again. Only when no server
 * can answer does the request fail, with one error naming the role and every server. A pool of one
 * server sends to it and nothing else: no hashing, no marking, no probing.
 */
export class ReplicaPool {
  readonly replicas: readonly Replica[];
  private readonly affinity: boolean;
  private readonly coolOffMs: number;
  private readonly now: () => number;
  private turn = 0;
  /** The server each query's requests go to: the one that answered its last request. */
  private readonly assigned = new Map<string, Replica>();
  /** Requests of this pool in flight, per server. */
  private readonly inFlight = new Map<Replica, number>();

  constructor(
    replicas: readonly Omit<Replica, "shown">[],
    private readonly options: ReplicaPoolOptions,
  ) {
    this.replicas = replicas.map((replica) => ({ ...replica, shown: redactUrls(replica.url) }));
    this.affinity = options.affinity ?? true;
    this.coolOffMs = options.coolOffMs ?? DEFAULT_COOL_OFF_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * The servers in the order a request with this key tries them: the query's own server first (the
   * one that answered it before; for a new query, the first of its ranking that is not overloaded),
   * then the rest of its rendezvous ranking.
   */
  order(key: string | undefined): Replica[] {
    if (!this.affinity || key === undefined) {
      const start = this.turn++ % this.replicas.length;
      return [...this.replicas.slice(start), ...this.replicas.slice(0, start)];
    }
    const ranking = rendezvousOrder(key, this.replicas, (r) => r.shown);
    let own = this.assigned.get(key);
    if (own === undefined) {
      // Chosen once, before its first answer: its requests in flight meanwhile go there too.
      own = this.leastOverloaded(ranking);
      this.assign(key, own);
    }
    return [own, ...ranking.filter((replica) => replica !== own)];
  }

  /** The first server of a ranking whose requests in flight stay within the bound. */
  private leastOverloaded(ranking: Replica[]): Replica {
    const total = [...this.inFlight.values()].reduce((sum, n) => sum + n, 0);
    const bound = Math.ceil((LOAD_BOUND * (total + 1)) / this.replicas.length);
    return ranking.find((replica) => (this.inFlight.get(replica) ?? 0) < bound) ?? ranking[0];
  }

  /** Remembers the server that answered a query, forgetting the oldest queries past the limit. */
  private assign(key: string, replica: Replica): void {
    this.assigned.delete(key);
    this.assigned.set(key, replica);
    if (this.assigned.size > REMEMBERED_KEYS) this.assigned.delete(this.assigned.keys().next().value!);
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
      this.inFlight.set(replica, (this.inFlight.get(replica) ?? 0) + 1);
      try {
        const value = await attempt(replica);
        markUp(replica.url);
        if (this.affinity && key !== undefined) this.assign(key, replica);
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
      } finally {
        this.inFlight.set(replica, this.inFlight.get(replica)! - 1);
      }
    };
    for (const replica of this.order(key)) {
      // Synchronous while the server is up: a burst of new queries sees each other's requests in flight.
      const ready = this.ready(replica);
      if (!(ready === true || (ready !== false && (await ready)))) {
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
  private ready(replica: Replica): boolean | Promise<boolean> {
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
