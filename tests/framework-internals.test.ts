import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The rule of src/compat/: it is the only place that touches what LangChain, LangGraph, LangSmith
 * and the OpenAI SDK do not promise. This test asks the TypeScript checker, for every member that
 * the rest of src/ reads, calls or overrides, where that member is declared; a framework member
 * that is private, protected, marked @internal, or named like an internal (a leading underscore)
 * fails it, naming the file, the line and the member. The documented ways to extend a framework
 * class (a custom chat model's _generate, _llmType, _streamResponseChunks; lc_name) are allowed.
 */
const ROOT = join(import.meta.dirname, "..");
const FRAMEWORKS = ["@langchain", "openai", "langsmith", "langchain"].map(
  (name) => `${sep}node_modules${sep}${name}${sep}`,
);
const EXTENSION_POINTS = new Set(["_generate", "_llmType", "_streamResponseChunks", "lc_name", "_call"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return path.endsWith(`${sep}compat`) || path.endsWith(`${sep}web`) ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function isFrameworkDeclaration(declaration: ts.Declaration): boolean {
  const file = declaration.getSourceFile().fileName.split("/").join(sep);
  return FRAMEWORKS.some((folder) => file.includes(folder));
}

/** Why a framework member is not public, or null when it is. */
function notPublic(symbol: ts.Symbol): string | null {
  const name = symbol.getName();
  if (name === ts.InternalSymbolName.Index) return null; // an index signature: any key

  for (const declaration of symbol.declarations ?? []) {
    if (!isFrameworkDeclaration(declaration)) continue;
    const flags = ts.getCombinedModifierFlags(declaration);
    if (flags & ts.ModifierFlags.Private) return "private";
    if (flags & ts.ModifierFlags.Protected && !EXTENSION_POINTS.has(name)) return "protected";
    if (ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === "internal")) return "@internal";
    if (name.startsWith("_") && !EXTENSION_POINTS.has(name)) return "named as an internal";
  }
  return null;
}

function internalUses(): string[] {
  const files = sourceFiles(join(ROOT, "src"));
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => {},
    },
  )!;
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const found: string[] = [];
  const report = (node: ts.Node, named: ts.Symbol | undefined) => {
    const symbol = named && named.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(named) : named;
    const why = symbol && notPublic(symbol);
    if (!why) return;
    const file = node.getSourceFile();
    const line = file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    found.push(`${relative(ROOT, file.fileName)}:${line}: ${symbol.getName()} (${why})`);
  };
  for (const file of files) {
    const source = program.getSourceFile(file)!;
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node)) report(node.name, checker.getSymbolAtLocation(node.name));
      if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression)) {
        report(node.argumentExpression, checker.getSymbolAtLocation(node.argumentExpression));
      }
      // A class that extends a framework class the framework does not promise.
      if (ts.isExpressionWithTypeArguments(node) && ts.isHeritageClause(node.parent)) {
        report(node.expression, checker.getSymbolAtLocation(node.expression));
      }
      // A class member that overrides a framework member: the base's declaration decides.
      if (
        (ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isGetAccessor(node)) &&
        node.name
      ) {
        const owner = node.parent;
        if (ts.isClassLike(owner)) {
          const type = checker.getTypeAtLocation(owner);
          for (const base of type.getBaseTypes?.() ?? []) {
            report(node.name, checker.getPropertyOfType(base, node.name.getText()));
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe("framework internals", () => {
  it("are touched only in src/compat/", () => {
    expect(internalUses()).toEqual([]);
  });
});
