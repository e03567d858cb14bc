import { createHash } from "node:crypto";
import type { ChatTurn } from "../messages/conversation.js";
import type { TpoContext, TpoMode } from "../settings/run-settings.js";

/**
 * What a job carries: one query of a data set under one mode, with its run settings. Never a
 * model, an endpoint or a key: each worker runs it with the models of its own environment.
 */
export interface QueueJobData {
  /** Version of this shape. */
  v: 1;
  key: string;
  dataset: string;
  /** The query's id in the data set, and where it came from there ("line 7"). */
  id: string;
  source: string;
  mode: TpoMode;
  input: { query: string } | { messages: ChatTurn[] };
  settings: TpoContext;
}

/** How the queue retries a job: attempts in all, and the first pause (it doubles each time). */
export interface RetryPolicy {
  maxAttempts: number;
  retryDelaySeconds: number;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The job key: the data set, the mode, the query id, and a fingerprint of the query's content and
 * its run settings. The same command run again (or on another machine) makes the same keys, so
 * nothing is enqueued twice; a changed query or setting makes a new job instead of reusing a
 * record made for something else.
 */
export function jobKeyOf(job: Pick<QueueJobData, "dataset" | "id" | "mode" | "input" | "settings">): string {
  const fingerprint = sha256(JSON.stringify([job.input, job.settings])).slice(0, 16);
  return `${job.dataset}:${job.mode}:${job.id}:${fingerprint}`;
}

/** pg-boss's id of a job key: a name-based UUID (version 5 layout), the same on every machine. */
export function jobIdOf(key: string): string {
  const hex = sha256(`tpo-queue:${key}`).slice(0, 32).split("");
  hex[12] = "5";
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Reads a job's data as a worker gets it; null when it is not a job of this version. */
export function jobDataOf(value: unknown): QueueJobData | null {
  const data = value as Partial<QueueJobData> | null;
  if (
    data?.v !== 1 ||
    typeof data.key !== "string" ||
    typeof data.id !== "string" ||
    typeof data.mode !== "string" ||
    typeof data.input !== "object" ||
    data.input === null ||
    typeof data.settings !== "object"
  ) {
    return null;
  }
  return data as QueueJobData;
}
