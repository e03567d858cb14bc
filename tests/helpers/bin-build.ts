/**
 * The "bin" test project runs the CLI tests again against what the package's bin runs: the
 * bundle of scripts/bundle-cli.mjs. This global setup builds it into a folder of its own (so that
 * `npm pack` in the package test, which rebuilds dist/, cannot change it under a running test),
 * laid out as the package is: <root>/dist/bin/tpo.js, <root>/data and <root>/package.json. From there, the optional
 * checkpoint savers resolve from the checkout's node_modules, as they would from a user's.
 */
import { spawnSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN_ROOT = join(ROOT, "node_modules", ".cache", "tpo-bin");
export const BIN_CLI = join(BIN_ROOT, "dist", "bin", "tpo.js");

function mustRun(args: string[]): void {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`node ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
}

export default function buildBin(): void {
  rmSync(BIN_ROOT, { recursive: true, force: true });
  const dist = join(BIN_ROOT, "dist");
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  mustRun([
    tsc,
    "-p",
    "tsconfig.json",
    "--outDir",
    dist,
    "--declaration",
    "false",
    "--declarationMap",
    "false",
  ]);
  mustRun([join(ROOT, "scripts", "bundle-cli.mjs"), dist]);
  cpSync(join(ROOT, "data"), join(BIN_ROOT, "data"), { recursive: true });
  cpSync(join(ROOT, "package.json"), join(BIN_ROOT, "package.json"));
}
