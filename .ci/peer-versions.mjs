#!/usr/bin/env node
// Prints what `npm install --no-save` takes to put @langchain/core and @langchain/langgraph at one
// end of package.json's peer ranges: `lowest` (the first versions the ranges allow) or `newest`
// (the last that run on this Node, by their `engines`). Leaves out a package whose version there is
// the lock file's (which the first test run covered): prints nothing when both are.
//
//   node .ci/peer-versions.mjs lowest|newest
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import process from "node:process";

const PACKAGES = ["@langchain/core", "@langchain/langgraph"];

const end = process.argv[2];
if (end !== "lowest" && end !== "newest") {
  process.stderr.write("usage: node .ci/peer-versions.mjs lowest|newest\n");
  process.exit(2);
}

const require = createRequire(import.meta.url);

/** semver from the checkout's node_modules, else the copy inside npm itself. */
function loadSemver() {
  try {
    return require("semver");
  } catch {
    const npmRoot = execFileSync("npm", ["root", "-g"], { encoding: "utf8" }).trim();
    return require(join(npmRoot, "npm", "node_modules", "semver"));
  }
}
const semver = loadSemver();

function npmView(spec, ...fields) {
  const out = execFileSync("npm", ["view", spec, ...fields, "--json"], { encoding: "utf8" }).trim();
  if (!out) return [];
  const parsed = JSON.parse(out);
  return Array.isArray(parsed) ? parsed : [parsed];
}

const { peerDependencies } = JSON.parse(readFileSync("package.json", "utf8"));
const { packages: locked } = JSON.parse(readFileSync("package-lock.json", "utf8"));
const specs = [];
for (const name of PACKAGES) {
  const range = peerDependencies[name];
  if (!range) throw new Error(`package.json has no peer dependency on ${name}`);
  const candidates = npmView(`${name}@${range}`, "version", "engines")
    .filter(({ version }) => semver.satisfies(version, range))
    .sort((a, b) => semver.compare(a.version, b.version));
  const runsHere = ({ engines }) => !engines?.node || semver.satisfies(process.version, engines.node);
  const chosen = end === "lowest" ? candidates[0] : candidates.filter(runsHere).at(-1);
  if (!chosen) throw new Error(`no version of ${name}@${range} runs on Node ${process.version}`);
  if (chosen.version !== locked[`node_modules/${name}`]?.version) specs.push(`${name}@${chosen.version}`);
}
process.stdout.write(`${specs.join(" ")}\n`);
