import { AsyncLocalStorage } from "node:async_hooks";

/** What one server of a pool did for the requests counted. */
export interface ReplicaCounts {
  /** Requests it answered. */
  requests: number;
  /** Requests that failed on it (after their retries); those that failed over count here too. */
  failures: number;
  promptTokens: number;
  /** Prompt tokens it read from its prefix cache, as it reported them. */
  cachedPromptTokens: number;
}

/** Counts by role ("policy", "critic", "reward", …), then by server URL (credentials hidden). */
export type ReplicaUsage = Record<string, Record<string, ReplicaCounts>>;

const tallies = new AsyncLocalStorage<ReplicaUsage>();

function emptyCounts(): ReplicaCounts {
  return { requests: 0, failures: 0, promptTokens: 0, cachedPromptTokens: 0 };
}

/**
 * Runs `fn` and counts, per server, the requests that the pools of several servers send for it
 * (however deep in the call they are sent); `replicas` is undefined when none was sent.
 */
export async function countReplicaUsage<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; replicas: ReplicaUsage | undefined }> {
  const tally: ReplicaUsage = {};
  const value = await tallies.run(tally, fn);
  return { value, replicas: Object.keys(tally).length > 0 ? tally : undefined };
}

/** Adds to the counts of the call being counted (see countReplicaUsage); nothing outside one. */
export function recordReplicaUsage(role: string, server: string, counts: Partial<ReplicaCounts>): void {
  const tally = tallies.getStore();
  if (!tally) return;
  const entry = ((tally[role] ??= {})[server] ??= emptyCounts());
  entry.requests += counts.requests ?? 0;
  entry.failures += counts.failures ?? 0;
  entry.promptTokens += counts.promptTokens ?? 0;
  entry.cachedPromptTokens += counts.cachedPromptTokens ?? 0;
}
