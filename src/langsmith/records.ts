import { basename } from "node:path";
import type { BatchItem } from "../eval/batch/input.js";
import type { BatchRecord } from "../eval/batch/record.js";
import { BATCH_RECORDS, scanResults } from "../eval/batch/results-file.js";
import { queryText, turnsOf } from "../messages/conversation.js";
import type { ExampleQuery } from "./experiment.js";
import { inputsOf, type ExperimentRecord } from "./feedback.js";

/** The dataset a file's queries default to: the file's name without its extension. */
export function datasetNameOf(file: string): string {
  return basename(file).replace(/\.[^.]*$/, "");
}

/** What an experiment reads of a record: the record without its pool and the texts of its history. */
export function experimentView(record: BatchRecord): BatchRecord {
  const { pool: _pool, history, ...rest } = record;
  return {
    ...rest,
    ...(history ? { history: history.map((h) => ({ ...h, critique: null, gradient: null })) } : {}),
  };
}

/** The modes that records ran under (a failed input line has none). */
export function modesOfRecords(records: ExperimentRecord[]): string[] {
  return [...new Set(records.flatMap((r) => (r.mode === null ? [] : [r.mode])))];
}

/** The queries of records, as a dataset's examples: one per query id, failed input lines left out. */
export function queriesOf(records: ExperimentRecord[]): ExampleQuery[] {
  return records
    .filter((r) => r.mode !== null && r.query !== null)
    .map((r) => ({ id: r.id, inputs: inputsOf(r) }));
}

/** The queries of a batch's input, as a dataset's examples (lines that could not be read left out). */
export function queriesOfItems(items: BatchItem[]): ExampleQuery[] {
  return items.flatMap((item) =>
    item.input
      ? [
          {
            id: item.id,
            inputs: inputsOf(
              "query" in item.input
                ? { query: item.input.query }
                : { query: queryText(item.input.messages), messages: turnsOf(item.input.messages) },
            ),
          },
        ]
      : [],
  );
}

/** The latest record of each query and mode of a results file, as an experiment reads them. */
export function experimentRecordsOf(results: string): BatchRecord[] {
  const latest = new Map<string, BatchRecord>();
  scanResults(results, BATCH_RECORDS.schema, (r) => latest.set(BATCH_RECORDS.key(r), experimentView(r)));
  return [...latest.values()];
}

/** The prefix of an input that names a LangSmith dataset: `tpo batch langsmith:<dataset>`. */
export const LANGSMITH_INPUT = "langsmith:";

/** The dataset an input names, or undefined for a file. */
export function datasetOfInput(input: string): string | undefined {
  return input.startsWith(LANGSMITH_INPUT) ? input.slice(LANGSMITH_INPUT.length) : undefined;
}
