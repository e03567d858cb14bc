import { z } from "zod";
import { TpoContextSchema, type TpoContextInput } from "../settings/run-settings.js";
import { cspHash, inlineScript, inlineStyle, jsonBlock, markup } from "../web/html.js";
import { PLAYGROUND_PAGE_SCRIPT } from "../web/page-scripts.generated.js";
import { PLAYGROUND_CONFIG_ID, type PlaygroundConfig, type SettingField } from "../web/playground-data.js";
import { PLAYGROUND_STYLE } from "../web/styles.js";
import type { ServerCaps } from "./caps.js";

const MAIN = ["width", "depth", "mode"];

interface JsonSchemaField {
  type?: string;
  enum?: string[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

const CAPPED: Record<string, keyof ServerCaps> = {
  width: "maxWidth",
  depth: "maxDepth",
  maxTokens: "maxTokens",
  criticMaxTokens: "maxTokens",
};

/** The run settings as form fields: the schema's, with the server's defaults and caps. */
export function settingFields(defaults: TpoContextInput, caps: ServerCaps): SettingField[] {
  const schema = z.toJSONSchema(TpoContextSchema, { io: "input" }) as {
    properties: Record<string, JsonSchemaField>;
  };
  const fields = Object.entries(schema.properties).map(([name, p]): SettingField => {
    const kind = p.enum
      ? "choice"
      : p.type === "integer"
        ? "integer"
        : p.type === "number"
          ? "number"
          : "text";
    const cap = CAPPED[name] === undefined ? null : caps[CAPPED[name]];
    const max = [p.maximum, cap].filter((n): n is number => typeof n === "number");
    const given = (defaults as Record<string, unknown>)[name];
    const fallback = given ?? p.default ?? null;
    return {
      name,
      kind,
      description: p.description ?? "",
      default: typeof fallback === "number" || typeof fallback === "string" ? fallback : null,
      min: p.minimum ?? p.exclusiveMinimum ?? null,
      max: max.length > 0 && Math.min(...max) < Number.MAX_SAFE_INTEGER ? Math.min(...max) : null,
      options: p.enum ?? [],
      main: MAIN.includes(name),
    };
  });
  return fields.sort((a, b) => Number(b.main) - Number(a.main));
}

/** The playground's Content-Security-Policy: its own script and style, requests to this server only. */
export function playgroundPolicy(): string {
  return [
    "default-src 'none'",
    `script-src ${cspHash(PLAYGROUND_PAGE_SCRIPT)}`,
    `style-src ${cspHash(PLAYGROUND_STYLE)}`,
    "connect-src 'self'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The playground page: a prompt, the run settings, Run and Stop; the script does the rest. */
export function playgroundHtml(config: PlaygroundConfig): string {
  return markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TPO playground</title>
${inlineStyle(PLAYGROUND_STYLE)}
</head>
<body>
<h1>TPO playground</h1>
<p class="meta">Type a prompt and run test-time preference optimization on this server: each iteration appears as it happens (candidates and scores, the critique, the suggestions, the new best with its diff), then the answer and its cost.</p>
${config.note ? markup`<p class="note" id="note">${config.note}</p>` : ""}
<div id="playground"><p class="meta">The playground needs JavaScript.</p></div>
${jsonBlock(PLAYGROUND_CONFIG_ID, config)}
${inlineScript(PLAYGROUND_PAGE_SCRIPT)}
</body>
</html>
`.markup;
}

/** The headers of the page: the policy, and no framing, sniffing or referrer. */
export function playgroundHeaders(): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": playgroundPolicy(),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  };
}
