import { z } from "zod";
import type {
  BestResponse,
  Candidate,
  HistoryRecord,
  ScoredRef,
  ScoreStats,
  StopReason,
  Usage,
} from "./state.js";

/**
 * Schemas of what a finished run holds (its pool, history, usage, best response), for code that
 * stores runs and reads them back: a file written by a run that is read later may have been
 * edited, cut or crafted. Counters that older versions did not write take 0.
 */
export const CandidateSchema = z.object({
  id: z.string(),
  text: z.string(),
  score: z.number().nullable(),
  judgedWithoutScore: z.boolean().optional(),
  iteration: z.number().int().min(0),
  origin: z.enum(["sample", "update"]),
});

/** Per server of a role with several (see src/models/pool): keys are role names and server URLs. */
const ReplicaUsageSchema = z.record(
  z.string().regex(/^[a-z][a-z-]*$/),
  z.record(
    z.string().regex(/^https?:\/\//),
    z.object({
      requests: z.number(),
      failures: z.number(),
      promptTokens: z.number(),
      cachedPromptTokens: z.number(),
    }),
  ),
);

const NodeUsageSchema = z.object({
  requests: z.number(),
  promptTokens: z.number(),
  cachedPromptTokens: z.number(),
  completionTokens: z.number(),
  costUsd: z.number().optional(),
});

export const UsageSchema = z.object({
  modelRequests: z.number(),
  promptTokens: z.number(),
  cachedPromptTokens: z.number().default(0),
  completionTokens: z.number(),
  rewardRequests: z.number(),
  nodeMs: z.record(z.string(), z.number()).default({}),
  replicas: ReplicaUsageSchema.optional(),
  fromCache: z
    .object({
      modelRequests: z.number(),
      promptTokens: z.number(),
      cachedPromptTokens: z.number(),
      completionTokens: z.number(),
      rewardRequests: z.number(),
      costUsd: z.number(),
    })
    .partial()
    .optional(),
  byNode: z.record(z.string(), NodeUsageSchema).optional(),
  costUsd: z.number().optional(),
});

export const ScoreStatsSchema = z.object({ min: z.number(), mean: z.number(), max: z.number() });

export const ScoredRefSchema = z.object({ id: z.string(), score: z.number() });

export const HistoryRecordSchema = z.object({
  iteration: z.number().int().min(0),
  chosen: ScoredRefSchema.nullable(),
  rejected: ScoredRefSchema.nullable(),
  critique: z.string().nullable(),
  gradient: z.string().nullable(),
  candidates: z.number().int().min(0),
  scores: ScoreStatsSchema.nullable(),
  bestSoFar: z.number().nullable(),
  untagged: z.number().int().min(0).default(0),
  failures: z.number().int().min(0).default(0),
  sampling: z.string().nullable().default(null),
  elapsedMs: z.number().default(0),
  usage: UsageSchema,
});

export const BestResponseSchema = z.object({
  text: z.string(),
  score: z.number(),
  iteration: z.number().int().min(0),
});

export const StopReasonSchema = z.enum(["depth", "target", "patience", "budget", "cost"]);

// The schemas and the state's types describe the same values: a field added to one and not the
// other fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type RecordSchemasMatchState = [
  Assert<Same<z.output<typeof CandidateSchema>, Candidate>>,
  Assert<Same<z.output<typeof UsageSchema>, Usage>>,
  Assert<Same<z.output<typeof ScoreStatsSchema>, ScoreStats>>,
  Assert<Same<z.output<typeof ScoredRefSchema>, ScoredRef>>,
  Assert<Same<z.output<typeof HistoryRecordSchema>, HistoryRecord>>,
  Assert<Same<z.output<typeof BestResponseSchema>, BestResponse>>,
  Assert<Same<z.output<typeof StopReasonSchema>, StopReason>>,
];
