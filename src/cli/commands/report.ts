import { existsSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { CliUsageError } from "../errors.js";
import { latestRecords, readResults } from "../batch/results-file.js";
import { formatSummary, summarize } from "../batch/summary.js";
import { reportHtml } from "../report/html.js";

/** `tpo report`'s work; ../declare/report.ts declares the command and loads this on demand. */
export function reportAction(results: string, options: { out: string }): void {
  if (!existsSync(results)) throw new CliUsageError(`<results>: file not found: ${results}`);
  const read = readResults(results);
  if (read.torn !== null) console.error(`tpo report: ignoring the cut-short last line of ${results}.`);
  for (const line of read.badLines)
    console.error(`tpo report: ${results} line ${line} is not a record; ignored.`);
  const records = [...latestRecords(read.records).values()];
  if (records.length === 0) throw new CliUsageError(`<results>: ${results} has no records.`);
  const summary = summarize(records);
  writeFileSync(options.out, reportHtml(summary, basename(results)));
  console.log(formatSummary(summary));
  console.log(`Wrote ${options.out}`);
}
