/**
 * The TypeScript snippets of the manual (README.md and docs/), type-checked as a user who copies
 * them would compile them: each ```ts block becomes a module inside the project, so that
 * `import … from "langgraph-tpo"` resolves as it does for the examples (tsconfig `paths`), and all
 * of them are checked in one TypeScript program with the project's compiler options.
 *
 * A block whose info string says `nocheck` (```ts nocheck) is deliberately partial and skipped.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import ts from "typescript";
import { ROOT } from "./cli.js";

export interface Snippet {
  /** The Markdown file, relative to the project root, with forward slashes. */
  doc: string;
  /** The line of the Markdown file (from 1) on which the snippet's first line of code stands. */
  line: number;
  code: string;
}

export interface SnippetFailure {
  doc: string;
  /** The Markdown line of the diagnostic; 0 when it has no position. */
  line: number;
  /** `README.md:42: TS2304 Cannot find name 'policy'.` and the offending line of code. */
  message: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;

/** The ```ts (or ```typescript) blocks of one Markdown text, fences indented in lists included. */
export function extractSnippets(doc: string, text: string): Snippet[] {
  const lines = text.split("\n");
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const closing = new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !closing.test(lines[end])) end++;
    const isTs = lang === "ts" || lang === "typescript";
    if (isTs && !/\bnocheck\b/.test(rest)) {
      const body = lines
        .slice(i + 1, end)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()));
      snippets.push({ doc, line: i + 2, code: body.join("\n") });
    }
    i = end;
  }
  return snippets;
}

/** README.md and every Markdown file under docs/, relative to the root. */
export function manualFiles(root = ROOT): string[] {
  const docs: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) docs.push(path.split(sep).join("/"));
    }
  };
  walk("docs");
  return ["README.md", ...docs.sort()];
}

/** Where a snippet lives while it is compiled: a file that exists only in the compiler's host. */
function snippetPath(snippet: Snippet, index: number): string {
  const name = snippet.doc.replace(/[^A-Za-z0-9]+/g, "-");
  return join(ROOT, "tests", ".doc-snippets", `${name}-L${snippet.line}-${index}.ts`);
}

/** Type-checks the snippets in one program (noEmit); returns every diagnostic, placed in its Markdown file. */
export function checkSnippets(snippets: Snippet[]): SnippetFailure[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.check.json"),
    { noEmit: true },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(d) },
  );
  if (!config) throw new Error("Cannot read tsconfig.check.json");
  const files = new Map<string, Snippet>();
  const sources = new Map<string, string>();
  snippets.forEach((snippet, index) => {
    const path = snippetPath(snippet, index);
    files.set(path, snippet);
    // Every snippet is a module of its own, whether or not it imports anything.
    sources.set(path, `${snippet.code}\nexport {};\n`);
  });
  const options = { ...config.options, noEmit: true, incremental: false };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (path) => sources.has(path) || fileExists.call(host, path);
  host.readFile = (path) => sources.get(path) ?? readFile.call(host, path);
  host.getSourceFile = (path, language, onError, create) => {
    const text = sources.get(path);
    if (text !== undefined) return ts.createSourceFile(path, text, language, true);
    return getSourceFile.call(host, path, language, onError, create);
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
  const failures: SnippetFailure[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    const snippet = diagnostic.file ? files.get(diagnostic.file.fileName) : undefined;
    if (!diagnostic.file || !snippet) {
      const where = diagnostic.file ? relative(ROOT, diagnostic.file.fileName) : "(the compiler)";
      failures.push({ doc: where, line: 0, message: `${where}: TS${diagnostic.code} ${message}` });
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const code = snippet.code.split("\n")[line] ?? "";
    const docLine = snippet.line + line;
    failures.push({
      doc: snippet.doc,
      line: docLine,
      message:
        `${snippet.doc}:${docLine} (the snippet from line ${snippet.line}): TS${diagnostic.code} ${message}\n` +
        `    ${code.trim()}`,
    });
  }
  return failures;
}

function fail(diagnostic: ts.Diagnostic): never {
  throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
}

/** The snippets of README.md and docs/, read from the checkout. */
export function manualSnippets(): Snippet[] {
  return manualFiles().flatMap((doc) => extractSnippets(doc, readFileSync(join(ROOT, doc), "utf8")));
}
