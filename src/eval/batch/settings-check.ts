import {
  parseTpoContext,
  TpoContextSchema,
  type TpoContext,
  type TpoMode,
} from "../../settings/run-settings.js";
import type { BatchRecord } from "./record.js";

/** The models' fields that make a record another experiment: which models, not where they were reached. */
const MODEL_FIELDS = [
  "backend",
  "model",
  "criticModel",
  "rewardKind",
  "rewardModel",
  "rewardTemplate",
  "rewardLabel",
];

/** A record's settings as a run would see them: older records lack newer fields, which take their defaults. */
function settingsOf(record: BatchRecord): Record<string, unknown> | null {
  if (!record.settings) return null;
  try {
    return parseTpoContext(record.settings);
  } catch {
    return record.settings;
  }
}

function shown(value: unknown): string {
  if (value === undefined) return "unset";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * What differs between the records a resume continues and the settings it would run with: every
 * run setting (mode, width, depth, sampling, critic, prompts, untaggedRewrites, systemPrompt, seed)
 * and the models (unless `models` is null: the models are not this process's to choose, as with
 * `--queue`, whose workers bring their own). One line per setting and mode, e.g.
 * `tpo: width: 2 in the records, 5 now`.
 */
export function settingsDifferences(
  records: Iterable<BatchRecord>,
  contexts: Map<TpoMode, TpoContext>,
  models: Record<string, string> | null,
): string[] {
  const differences = new Set<string>();
  const fields = Object.keys(TpoContextSchema.shape);
  for (const record of records) {
    if (record.mode === null) continue;
    const context = contexts.get(record.mode) as Record<string, unknown> | undefined;
    const settings = settingsOf(record);
    if (context && settings) {
      for (const field of fields) {
        if (JSON.stringify(settings[field]) !== JSON.stringify(context[field])) {
          differences.add(
            `${record.mode}: ${field}: ${shown(settings[field])} in the records, ${shown(context[field])} now`,
          );
        }
      }
    }
    if (context && record.models && models) {
      for (const field of MODEL_FIELDS) {
        if (record.models[field] !== models[field]) {
          differences.add(
            `${record.mode}: models.${field}: ${shown(record.models[field])} in the records, ${shown(models[field])} now`,
          );
        }
      }
    }
  }
  return [...differences];
}

/** The settings that tell a record's experiment apart, as a key: run settings and models. */
export function settingsKey(record: BatchRecord): string {
  const settings = settingsOf(record) ?? {};
  const models = record.models ?? {};
  return JSON.stringify([
    Object.keys(TpoContextSchema.shape).map((field) => settings[field] ?? null),
    MODEL_FIELDS.map((field) => models[field] ?? null),
  ]);
}

/**
 * Splits one mode's records by their settings. Each group gets a label: the mode alone when there
 * is one group, else the mode and the settings that tell the groups apart, e.g.
 * `tpo (width 2, depth 1)`. A record without settings (an old failure) joins the first group.
 */
export function groupBySettings(
  mode: TpoMode,
  records: BatchRecord[],
): { label: string; records: BatchRecord[] }[] {
  const groups = new Map<string, BatchRecord[]>();
  const unset: BatchRecord[] = [];
  for (const record of records) {
    if (!record.settings) {
      unset.push(record);
      continue;
    }
    const key = settingsKey(record);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  const lists = [...groups.values()];
  if (lists.length === 0) return [{ label: mode, records: unset }];
  lists[0].push(...unset);
  if (lists.length === 1) return [{ label: mode, records: lists[0] }];
  const views = lists.map((list) => ({ ...settingsOf(list[0]), ...prefixed(list[0].models ?? {}) }));
  const fields = [...new Set(views.flatMap((view) => Object.keys(view)))].filter(
    (field) => new Set(views.map((view) => JSON.stringify(view[field]))).size > 1,
  );
  return lists.map((list, i) => ({
    label: `${mode} (${fields.map((field) => `${field} ${shown(views[i][field])}`).join(", ")})`,
    records: list,
  }));
}

function prefixed(models: Record<string, string>): Record<string, string> {
  const view: Record<string, string> = {};
  for (const field of MODEL_FIELDS) if (models[field] !== undefined) view[`models.${field}`] = models[field];
  return view;
}
