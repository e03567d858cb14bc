// Re-runs by hand each mutant that a StrykerJS report lists as survived or not covered: applies it
// to its file, runs the unit tests that import that file (`vitest related`, the mutation run's
// config), and puts the file back. Stryker's vitest runner with per-test coverage records some
// mutants as survived that their own tests kill (stryker-js#6192, #6073): this tells which
// survivors are real. docs/development.md, "Mutation testing".
//
//   node scripts/recheck-survivors.mjs [report.json] [--config vitest.mutation.config.ts] [--only path-prefix]
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { stripVTControlCharacters } from "node:util";
/* global console */

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args.splice(i, 2)[1];
};
const config = option("--config", "vitest.mutation.config.ts");
const only = option("--only", "");
const reportPath = args[0] ?? "reports/mutation/mutation.json";
const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");

const report = JSON.parse(readFileSync(reportPath, "utf8"));
const files = Object.entries(report.files).filter(([file]) => file.startsWith(only));
const changed = files
  .filter(([file, { source }]) => readFileSync(file, "utf8") !== source)
  .map(([file]) => file);
if (changed.length > 0) {
  console.error(`Changed since the report, run it again: ${changed.join(", ")}`);
  process.exit(2);
}
const mutants = files.flatMap(([file, { mutants }]) =>
  mutants.filter((m) => m.status === "Survived" || m.status === "NoCoverage").map((m) => ({ file, ...m })),
);

/** The offset in `text` of a report location (lines and columns count from 1). */
function offsetOf(text, { line, column }) {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf("\n", offset) + 1;
  return offset + column - 1;
}

let restore = null;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    restore?.();
    process.exit(130);
  });
}

let unsettled = 0;
for (const [i, m] of mutants.entries()) {
  const original = readFileSync(m.file, "utf8");
  const start = offsetOf(original, m.location.start);
  const end = offsetOf(original, m.location.end);
  restore = () => writeFileSync(m.file, original);
  writeFileSync(m.file, original.slice(0, start) + m.replacement + original.slice(end));
  let run;
  try {
    run = spawnSync(
      process.execPath,
      [vitest, "related", m.file, "--run", "--config", config, "--bail=1", "--reporter=dot"],
      { encoding: "utf8", timeout: 600_000, env: { ...process.env, NO_COLOR: "1" } },
    );
  } finally {
    restore();
    restore = null;
  }
  const output = stripVTControlCharacters(`${run.stdout}${run.stderr}`);
  const failed = /FAIL\s+(.+)/.exec(output)?.[1].trim();
  // Killed only when a test failed: vitest also exits non-zero when no test imports the file,
  // when it cannot start, or when the run timed out.
  const verdict = failed ? "killed" : run.status === 0 ? "SURVIVES" : "NO VERDICT";
  if (verdict !== "killed") unsettled++;
  const where = `${m.file}:${m.location.start.line} ${m.mutatorName} → ${JSON.stringify(m.replacement)}`;
  const why = failed ?? (run.status === 0 ? "" : (run.error?.message ?? output.trim().split("\n")[0]));
  console.log(`[${i + 1}/${mutants.length}] ${verdict} ${where}${why ? `  (${why})` : ""}`);
}
console.log(`${unsettled} of ${mutants.length} survive the re-run or got no verdict.`);
