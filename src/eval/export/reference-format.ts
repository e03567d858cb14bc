import type { TpoMode } from "../../settings/run-settings.js";
import { isSuccess, type BatchRecord } from "../batch/record.js";

/**
 * The reference implementation's output: one object per query whose keys are
 * `INDEX{i}<SEP>{query}<SEP>{answer}` and values the scores, with i = -1 for the first samples and
 * i = k-1 for the candidates of the k-th update.
 */
export function officialEntries(records: BatchRecord[]): Record<string, number>[] {
  return records.filter(isSuccess).map((record) => {
    const entry: Record<string, number> = {};
    for (const candidate of record.pool ?? []) {
      if (candidate.score === null) continue;
      entry[`INDEX${candidate.iteration - 1}<SEP>${record.query}<SEP>${candidate.text}`] = candidate.score;
    }
    return entry;
  });
}

/** `results.jsonl` → `results.tpo.official.json`, beside it. */
export function officialPath(outPath: string, mode: TpoMode): string {
  return `${outPath.replace(/\.jsonl?$/, "")}.${mode}.official.json`;
}

/** The reference implementation's file: a JSON list, indented as its `json.dump(results, indent=4)` writes it. */
export function officialJson(records: BatchRecord[]): string {
  return `${JSON.stringify(officialEntries(records), null, 4)}\n`;
}
