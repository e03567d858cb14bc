/**
 * Every TypeScript snippet of README.md and docs/ compiles as written: a user who copies one gets
 * code that type-checks against the package (`import … from "langgraph-tpo"`). A snippet that is
 * deliberately partial says so in its fence: ```ts nocheck.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkSnippets,
  extractSnippets,
  manualFiles,
  manualSnippets,
  type Snippet,
  type SnippetFailure,
} from "./helpers/doc-snippets.js";

/** A page that the checker must fail on, checked in the same program as the manual. */
const BROKEN_DOC = "tests/broken-snippet.md";
const BROKEN_TEXT = [
  "# A page with a broken snippet",
  "",
  "```ts",
  'import { createTpoGraph, createSimWorld } from "langgraph-tpo";',
  "",
  "const { policy } = createSimWorld();",
  "const graph = createTpoGraph({ policy, rewardModel });",
  "```",
  "",
  "```ts nocheck",
  "const partial = createTpoGraph(…);",
  "```",
  "",
].join("\n");

let snippets: Snippet[];
let failures: SnippetFailure[];

beforeAll(() => {
  snippets = manualSnippets();
  failures = checkSnippets([...snippets, ...extractSnippets(BROKEN_DOC, BROKEN_TEXT)]);
}, 60_000);

describe("the TypeScript snippets of the manual", () => {
  it("are found in README.md and docs/", () => {
    expect(snippets.filter((s) => s.doc === "README.md").length).toBeGreaterThan(0);
    expect(snippets.filter((s) => s.doc.startsWith("docs/")).length).toBeGreaterThan(5);
  });

  it.each(manualFiles())("compile as written: %s", (doc) => {
    expect(failures.filter((f) => f.doc === doc).map((f) => f.message)).toEqual([]);
  });

  it("leave nothing outside the snippets to complain about", () => {
    const known = new Set([...manualFiles(), BROKEN_DOC]);
    expect(failures.filter((f) => !known.has(f.doc)).map((f) => f.message)).toEqual([]);
  });

  it("fail on a broken snippet, naming the file, the line and the diagnostic; skip a nocheck one", () => {
    expect(failures.filter((f) => f.doc === BROKEN_DOC).map((f) => f.message)).toEqual([
      "tests/broken-snippet.md:7 (the snippet from line 4): TS18004 No value exists in scope for the shorthand property 'rewardModel'. Either declare one or provide an initializer.\n" +
        "    const graph = createTpoGraph({ policy, rewardModel });",
    ]);
  });
});
