import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";

/**
 * The layers of src/, bottom to top (docs/source-layout.md, architecture page §3): each folder
 * imports only from the folders listed for it, so nothing imports upward and no two folders
 * import each other.
 */
const BASE = ["errors", "util"];
const QUEUE = [
  "eval",
  "run",
  "from-env",
  "graph",
  "models",
  "state",
  "settings",
  "messages",
  "http",
  ...BASE,
];
const ALLOWED: Record<string, string[]> = {
  errors: [],
  // General helpers; they may throw the typed errors of errors.ts.
  util: ["errors"],
  prompts: [],
  // The pages' markup helpers, data shapes and browser scripts (the report, the playground).
  web: [...BASE],
  messages: [...BASE],
  http: [...BASE],
  compat: [...BASE],
  settings: ["prompts", ...BASE],
  state: ["settings", "messages", "prompts", ...BASE],
  models: ["compat", "http", "settings", "messages", "prompts", ...BASE],
  sim: ["models", "state", "settings", "messages", "prompts", "http", ...BASE],
  nodes: ["models", "state", "settings", "messages", "prompts", ...BASE],
  graph: ["nodes", "compat", "models", "state", "settings", "messages", "prompts", ...BASE],
  run: ["graph", "compat", "models", "state", "settings", "messages", "http", ...BASE],
  adapters: [
    "run",
    "graph",
    "nodes",
    "compat",
    "models",
    "state",
    "settings",
    "messages",
    "prompts",
    ...BASE,
  ],
  "from-env": ["models", "sim", "settings", "messages", "http", ...BASE],
  // The library under `tpo batch/compare/export/report/eval`: records and results files, the batch
  // plan and resume check, summaries, the pairwise judge and comparison, export formats, report
  // data, leaderboard scoring. Never cli/: the CLI, the queue and library users import it.
  eval: ["run", "nodes", "models", "state", "settings", "messages", "prompts", "http", "web", ...BASE],
  // The persistent cache of responses and scores: its stores, bound to the models' cache slots.
  cache: ["models", "http", ...BASE],
  // LangSmith experiments: records in, datasets, runs and feedback out, through the langsmith client.
  langsmith: ["eval", "run", "graph", "compat", "state", "settings", "messages", ...BASE],
  studio: ["from-env", "graph", "nodes", "sim", "models", "state", "settings", ...BASE],
  server: [
    "web",
    "adapters",
    "run",
    "from-env",
    "graph",
    "models",
    "state",
    "settings",
    "messages",
    "prompts",
    "http",
    ...BASE,
  ],
  queue: QUEUE,
  // Running a batch: a query's record, the loop over the jobs, the jobs as the queue carries them.
  // Just above queue/ (whose job data it makes) and eval/ (whose records it writes); the CLI wires it.
  batch: ["queue", ...QUEUE],
  mcp: ["adapters", "run", "from-env", "graph", "models", "state", "settings", "messages", ...BASE],
  cli: [
    "batch",
    "cache",
    "eval",
    "langsmith",
    "web",
    "mcp",
    "queue",
    "server",
    "studio",
    "from-env",
    "adapters",
    "run",
    "graph",
    "nodes",
    "sim",
    "models",
    "compat",
    "http",
    "state",
    "settings",
    "messages",
    "prompts",
    ...BASE,
  ],
};

const SRC = join(ROOT, "src");

/** The package's entries: files of re-exports only, above every layer. */
const ENTRIES = ["index", "core", "langchain"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The layer of a file: its top folder under src/, or the name of a top-level file (errors.ts). */
function layerOf(path: string): string {
  const [first] = relative(SRC, path).split("/");
  return first.replace(/\.(ts|js)$/, "");
}

/** Relative imports of a file, static and dynamic, type-only included, as absolute paths. */
function importsOf(path: string): string[] {
  const text = readFileSync(path, "utf8");
  const specifiers = [...text.matchAll(/(?:from|import\()\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
  return specifiers.map((s) => resolve(dirname(path), s));
}

type Edge = { from: string; to: string; file: string };

function wrongImports(list: Edge[]): string[] {
  return list
    .filter((e) => !ALLOWED[e.from]?.includes(e.to))
    .map(
      (e) =>
        `${relative(ROOT, e.file)} imports ${e.to}/ (${e.from}/ may import ${ALLOWED[e.from]?.join(", ") || "nothing"})`,
    );
}

function edges(): Edge[] {
  return sourceFiles(SRC)
    .filter((file) => !ENTRIES.includes(layerOf(file)))
    .flatMap((file) => importsOf(file).map((target) => ({ from: layerOf(file), to: layerOf(target), file })))
    .filter((e) => e.from !== e.to);
}

describe("the layers of src/", () => {
  it("every folder is a known layer", () => {
    const layers = new Set(sourceFiles(SRC).map(layerOf));
    for (const entry of ENTRIES) layers.delete(entry);
    expect([...layers].filter((layer) => !(layer in ALLOWED))).toEqual([]);
  });

  it("no import runs upward or sideways", () => {
    expect(wrongImports(edges())).toEqual([]);
  });

  it("the allowed imports form no cycle between folders", () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const cycles: string[] = [];
    const visit = (layer: string, path: string[]) => {
      if (done.has(layer)) return;
      if (visiting.has(layer)) {
        cycles.push([...path, layer].join(" → "));
        return;
      }
      visiting.add(layer);
      for (const next of ALLOWED[layer] ?? []) visit(next, [...path, layer]);
      visiting.delete(layer);
      done.add(layer);
    };
    for (const layer of Object.keys(ALLOWED)) visit(layer, []);
    expect(cycles).toEqual([]);
  });

  it("only cli/ prints: library code hands messages to its caller", () => {
    // The one that writes on purpose: the OpenAI SDK's log, redirected to stderr with keys redacted.
    const writers = ["src/models/chat/sdk-log.ts"];
    const prints = /\bconsole\.(log|error|warn|info|debug)\(|\bprocess\.(stdout|stderr)\.write\(/;
    const printing = sourceFiles(SRC)
      .filter((file) => layerOf(file) !== "cli" && !writers.includes(relative(ROOT, file)))
      .filter((file) => prints.test(readFileSync(file, "utf8")))
      .map((file) => relative(ROOT, file));
    expect(printing).toEqual([]);
  });

  it("reports an upward import and a sideways one", () => {
    const file = join(SRC, "models", "x.ts");
    expect(wrongImports([{ from: "models", to: "graph", file }])).toHaveLength(1);
    expect(wrongImports([{ from: "sim", to: "nodes", file }])).toHaveLength(1);
    expect(wrongImports([{ from: "graph", to: "nodes", file }])).toHaveLength(0);
  });
});
