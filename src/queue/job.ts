import { createHash } from "node:crypto";
import type { ChatTurn } from "../messages/conversation.js";
import { z } from "zod";
import {
  parseTpoContext,
  TpoContextSchema,
  type TpoContext,
  type TpoMode,
} from "../settings/run-settings.js";
import { JudgeJobDataSchema, type JudgeJobData } from "./judge-job.js";

/**
 * What a job carries: one query of a data set under one mode, with its run settings. Never a
 * model, an endpoint or a key: each worker runs it with the models of its own environment.
 */
export interface QueueJobData {
  /** Version of this shape. */
  v: 1;
  /** A judge job's says "judge" (./judge-job.ts); a batch's has none. */
  kind?: undefined;
  key: string;
  dataset: string;
  /** The query's id in the data set, and where it came from there ("line 7"). */
  id: string;
  source: string;
  mode: TpoMode;
  input: { query: string } | { messages: ChatTurn[] };
  settings: TpoContext;
  /** Where its worker uploads the run (`tpo batch --queue --langsmith-experiment`); not part of the key. */
  langsmith?: JobExperiment;
}

/** A job's run in a LangSmith experiment: the experiment (name and id) and the example it answers. */
export interface JobExperiment {
  experiment: string;
  experimentId: string;
  exampleId: string;
}

/** Any job a worker takes: a query of a batch, or an item of a leaderboard judging. */
export type AnyJobData = QueueJobData | JudgeJobData;

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

/** The version of QueueJobData this langgraph-tpo writes and reads. */
export const JOB_DATA_VERSION = 1;

/** What a worker accepts as a job's data: the shape above, its run settings as a run would parse them. */
const QueueJobDataSchema = z.object({
  v: z.literal(JOB_DATA_VERSION),
  key: z.string().min(1),
  dataset: z.string(),
  id: z.string(),
  source: z.string(),
  mode: TpoContextSchema.shape.mode.unwrap(),
  input: z.union([
    z.object({ query: z.string() }),
    z.object({ messages: z.array(z.object({ role: z.string(), content: z.string() })) }),
  ]),
  settings: z.record(z.string(), z.unknown()),
  langsmith: z.object({ experiment: z.string(), experimentId: z.string(), exampleId: z.string() }).optional(),
});

function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Reads a job's data as a worker gets it, or says in a line why it cannot be run: a job of a
 * newer langgraph-tpo (its workers need upgrading), data that is not a job, run settings that do
 * not parse.
 */
export function readJobData(value: unknown): { data: AnyJobData } | { refused: string } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {
      refused: `its data is ${value === null ? "null" : `a ${Array.isArray(value) ? "list" : typeof value}`}, not a job`,
    };
  }
  const version = (value as { v?: unknown }).v;
  if (typeof version === "number" && version > JOB_DATA_VERSION) {
    return {
      refused:
        `it was enqueued by a newer langgraph-tpo (job version ${version}; this worker reads version ${JOB_DATA_VERSION}): ` +
        "upgrade the workers",
    };
  }
  if ((value as { kind?: unknown }).kind === "judge") {
    const judge = JudgeJobDataSchema.safeParse(value);
    return judge.success
      ? { data: judge.data as JudgeJobData }
      : { refused: `its data is not a judge job this worker can read (${issueOf(judge.error)})` };
  }
  const parsed = QueueJobDataSchema.safeParse(value);
  if (!parsed.success)
    return { refused: `its data is not a job this worker can read (${issueOf(parsed.error)})` };
  try {
    parseTpoContext(parsed.data.settings);
  } catch (error) {
    return { refused: `its run settings do not parse (${(error as Error).message})` };
  }
  return { data: parsed.data as QueueJobData };
}

/** A job's data as a worker gets it; null when it is not a job this worker can run. */
export function jobDataOf(value: unknown): AnyJobData | null {
  const read = readJobData(value);
  return "data" in read ? read.data : null;
}
