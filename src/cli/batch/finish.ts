import type { TpoMode } from "../../settings/run-settings.js";
import { escapeControl } from "../../util/escape.js";
import type { BatchItem } from "../../eval/batch/input.js";
import type { BatchRecord } from "../../eval/batch/record.js";
import { officialJson, officialPath } from "../../eval/export/reference-format.js";
import { writeAtomically } from "../atomic-write.js";
import { BATCH_RECORDS, scanResults, type ResultsWriter } from "../../eval/batch/results-file.js";
import { summarize, summaryView } from "../../eval/batch/summary.js";
import { formatSummary } from "./summary-text.js";
import { writeLine, type OutStream } from "../io.js";

/** Records the input lines that could not be read, each as an error record, and says so. */
export function recordUnreadable(
  writer: ResultsWriter,
  unreadable: BatchItem[],
  input: string,
  stderr: OutStream,
): void {
  for (const item of unreadable) {
    writeLine(
      stderr,
      escapeControl(`tpo batch: ${input} ${item.source}: ${item.error}; recorded as an error.`),
    );
    writer.append({
      id: item.id,
      mode: null,
      query: null,
      elapsedMs: 0,
      error: { message: item.error!, source: item.source },
      finishedAt: new Date().toISOString(),
    });
  }
}

/** The line a failed query gets on standard error (over the progress bar, on a terminal). */
export function reportFailedRecord(record: BatchRecord, stderr: OutStream): void {
  writeLine(
    stderr,
    `${stderr.isTTY ? "\r\x1b[2K" : ""}${escapeControl(`tpo batch: ${record.id} (${record.mode}): ${record.error?.message}`)}`,
  );
}

/** The summary of `out`'s records on standard output, and the reference format's files when asked for. */
export function summarizeResults(out: string, modes: TpoMode[], format: string, stdout: OutStream): void {
  // The official files need whole records; the summary only what it reads of them.
  const keep = format === "official" ? (record: BatchRecord) => record : summaryView;
  const latest = new Map<string, BatchRecord>();
  scanResults(out, BATCH_RECORDS.schema, (r) => latest.set(BATCH_RECORDS.key(r), keep(r)));
  const records = [...latest.values()];
  writeLine(stdout, formatSummary(summarize(records)));
  if (format === "official") {
    for (const mode of modes) {
      const path = officialPath(out, mode);
      // Whole, through a temporary file: a crash never leaves half of one.
      writeAtomically(path, officialJson(records.filter((r) => r.mode === mode)));
      writeLine(stdout, `Wrote ${path}`);
    }
  }
}
