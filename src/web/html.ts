import { createHash } from "node:crypto";
import { deflateRawSync } from "node:zlib";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

// The pages that the CLI and the server write (the report, the playground) build their markup here.

const made = new WeakSet<object>();

/**
 * Markup made by {@link markup}: the only value the template inserts unescaped. It cannot be made
 * from a string by anything else, so text from a file or a model reaches the page escaped,
 * whatever its type and wherever it is interpolated.
 */
export interface Html {
  readonly markup: string;
}

function trusted(markup: string): Html {
  const value = { markup };
  made.add(value);
  return Object.freeze(value);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  if (typeof value === "object" && made.has(value)) return (value as Html).markup;
  return escapeHtml(String(value));
}

/**
 * The pages' one way to build markup: every interpolated value is escaped unless `markup` made it.
 * (Not named `html`: formatters reflow templates of that name as HTML, changing the output.)
 */
export function markup(strings: TemplateStringsArray, ...values: Value[]): Html {
  let text = strings[0];
  values.forEach((value, i) => (text += render(value) + strings[i + 1]));
  return trusted(text);
}

/** JSON in a `<script type="application/json">` block: no `<`, `>` or `&` in it can end the block. */
export function jsonBlock(id: string, data: unknown): Html {
  const json = JSON.stringify(data)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
  return markup`<script type="application/json" id="${id}">${trusted(json)}</script>`;
}

/**
 * Texts compressed (raw deflate) each on its own, in base64, one a line, in a data block: about a
 * tenth of the bytes for simulated answers, a third for real ones; the browser inflates a chunk
 * with a DecompressionStream when it needs it. Base64 has no `<` or `&`: nothing in it can end the
 * block.
 */
export function compressedBlock(id: string, chunks: readonly string[]): Html {
  const lines = chunks.map((chunk) => deflateRawSync(chunk, { level: 6 }).toString("base64"));
  return markup`<script type="application/octet-stream" id="${id}" data-encoding="deflate-raw base64 lines">${trusted(lines.join("\n"))}</script>`;
}

/** The CSP source of an inline script or style: its SHA-256, as the browser computes it. */
export function cspHash(source: string): string {
  return `'sha256-${createHash("sha256").update(source, "utf8").digest("base64")}'`;
}

/**
 * A script of our own build, inline: refused if it could end its element early. Its hash goes
 * into the page's Content-Security-Policy, which runs no other script.
 */
export function inlineScript(source: string): Html {
  if (/<\/script|<!--/i.test(source)) throw new Error("an inline script may not contain </script or <!--");
  return trusted(`<script>${source}</script>`);
}

/** An inline style sheet of our own: as for scripts, its hash is what the policy allows. */
export function inlineStyle(source: string): Html {
  if (/<\/style/i.test(source)) throw new Error("an inline style may not contain </style");
  return trusted(`<style>${source}</style>`);
}

/**
 * The page's Content-Security-Policy: no network at all, only the given inline script and style
 * (by hash), no plugins, forms, frames or base URL.
 */
export function offlinePolicy(script: string | null, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${script === null ? "'none'" : cspHash(script)}`,
    `style-src ${cspHash(style)}`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}
