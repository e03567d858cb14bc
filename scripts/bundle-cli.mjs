/**
 * Bundles the built CLI (dist/cli/main.js, from tsc) with the packages it imports into
 * dist/bin/tpo.js and its lazily loaded chunks: one file per command instead of ~900 ES modules,
 * which Node 20 resolves, reads and links one by one (≈ 320 → 85 ms before a command can start).
 * The library entries (dist/index.js, dist/core.js) stay unbundled and use the user's packages.
 *
 * dist/bin sits two folders below the package root, as dist/cli does, so the CLI finds data/
 * the same way. The optional checkpoint savers and the MCP SDK stay outside: they are imported by name at run
 * time, from the user's node_modules. Usage: node scripts/bundle-cli.mjs [dist folder]
 */
import { build } from "esbuild";
import { rmSync } from "node:fs";
import process from "node:process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = resolve(process.argv[2] ?? join(ROOT, "dist"));
const outdir = join(dist, "bin");
rmSync(outdir, { recursive: true, force: true }); // chunk names carry hashes: no stale chunk stays

await build({
  entryPoints: { tpo: join(dist, "cli", "main.js") },
  outdir,
  bundle: true,
  // Each command's chunk loads when it runs, so `tpo --help` stays light.
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "[name]-[hash]",
  // LangChain names runs and serialized classes after constructor names; keep them as written.
  keepNames: true,
  // The CommonJS packages inside (the OpenAI SDK's helpers, uuid, …) call require.
  banner: {
    js: "import { createRequire as __tpoCreateRequire } from 'node:module'; const require = __tpoCreateRequire(import.meta.url);",
  },
  // pg-boss (the job queue of `tpo batch --queue`, `tpo worker`, `tpo queue`) too, and the pg it
  // brings, which the queue loads from pg-boss's folder.
  external: [
    "@langchain/langgraph-checkpoint-sqlite",
    "@langchain/langgraph-checkpoint-postgres",
    "@modelcontextprotocol/sdk",
    "pg-boss",
    "pg",
    // The persistent cache's SQLite driver (`--cache FILE`): a native module, loaded on demand.
    "better-sqlite3",
  ],
  logLevel: "warning",
});
