import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { defaultSamplePromptsPath } from "../src/cli/paths.js";
import { ROOT } from "./helpers/cli.js";

const THIS_FILE = fileURLToPath(import.meta.url);

/** Every text file of the project that code, tests or docs live in (no dependencies, no build). */
function projectFiles(): string[] {
  const files = ["README.md", "package.json", "langgraph.json", "vitest.config.ts", "eslint.config.js"];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(ROOT, dir))) {
      const path = join(dir, name);
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (/\.(ts|js|json|md)$/.test(name) || dir === ".ci") files.push(path);
    }
  };
  for (const dir of ["src", "bench", "tests", "examples", "docs", "data", ".ci"]) walk(dir);
  return files.map((file) => join(ROOT, file)).filter((file) => file !== THIS_FILE);
}

describe("the sample prompts", () => {
  it("ship inside the package: under data/, which package.json's files list", () => {
    const path = defaultSamplePromptsPath();
    expect(relative(ROOT, path)).toBe(join("data", "tpo-sample-prompts.json"));
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("data");
  });

  it("are the reference implementation's 100 prompts, a JSON array of strings", () => {
    const prompts = JSON.parse(readFileSync(defaultSamplePromptsPath(), "utf8")) as unknown[];
    expect(prompts).toHaveLength(100);
    expect(prompts.every((p) => typeof p === "string" && p.trim().length > 0)).toBe(true);
  });

  it("are never looked for beside the checkout: no project file names the shared folder", () => {
    const outside = /\.\.\/shared|shared[/"', ]+data/;
    const offenders = projectFiles().filter((file) => outside.test(readFileSync(file, "utf8")));
    expect(offenders.map((file) => relative(ROOT, file).split(sep).join("/"))).toEqual([]);
  });
});
