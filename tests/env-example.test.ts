/**
 * `.env.example` is the list of what the composition root reads from the environment: copied to
 * `.env`, it is what the LangGraph dev server loads for the graphs of `langgraph.json`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** The variable names that src/config quotes: those it reads from the environment. */
function configVariables(): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(join(ROOT, "src", "from-env"))) {
    for (const [, name] of read(join("src", "from-env", file)).matchAll(/"((?:TPO|OPENAI)_[A-Z0-9_]+)"/g)) {
      names.add(name);
    }
  }
  return [...names].sort();
}

/** The variables `.env.example` sets or shows commented out (`NAME=…` or `# NAME=…`). */
function exampleVariables(): string[] {
  return [...read(".env.example").matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map(([, name]) => name).sort();
}

describe(".env.example", () => {
  it("is what langgraph.json loads, once copied to .env (which git ignores)", () => {
    expect((JSON.parse(read("langgraph.json")) as { env?: string }).env).toBe(".env");
    expect(read(".gitignore").split("\n")).toContain(".env");
  });

  it("lists every variable the config layer reads", () => {
    const variables = configVariables();
    expect(variables).toContain("TPO_MODEL");
    expect(variables.filter((name) => !exampleVariables().includes(name))).toEqual([]);
  });

  it("lists nothing else but LangSmith's tracing settings", () => {
    const known = new Set(configVariables());
    expect(exampleVariables().filter((name) => !known.has(name) && !name.startsWith("LANGSMITH_"))).toEqual(
      [],
    );
    expect(exampleVariables()).toEqual(expect.arrayContaining(["LANGSMITH_TRACING", "LANGSMITH_API_KEY"]));
  });

  it("sets no model by default, so that the Studio graphs fall back to the simulated world", () => {
    expect(read(".env.example").match(/^[A-Z][A-Z0-9_]*=.*$/gm)).toBeNull();
  });
});
