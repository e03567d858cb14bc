import { readFileSync } from "node:fs";
import { TpoConfigError } from "../../errors.js";
import { CHAT_TEMPLATES, type ChatTemplate, type ChatTemplateName } from "./chat-template.js";

/** How the CLI and the environment name the reward template setting, for messages. */
export const REWARD_TEMPLATE_SETTING = "--reward-template / TPO_REWARD_TEMPLATE";

const STRING_FIELDS = ["bos", "begin", "turn", "last", "end"] as const;
const MAP_FIELDS = ["turns", "roles"] as const;
const FIELDS: readonly string[] = [...STRING_FIELDS, ...MAP_FIELDS];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A chat template from the JSON of a template file: an object with the fields of ChatTemplate,
 * `turn` required, e.g. `{ "turn": "<|im_start|>{role}\n{content}<|im_end|>\n" }`. Unknown fields
 * are refused, so that a misspelt one does not go unnoticed.
 */
export function parseChatTemplateJson(text: string, source: string): ChatTemplate {
  const fail = (why: string) =>
    new TpoConfigError(`The reward template file ${source} (${REWARD_TEMPLATE_SETTING}) ${why}.`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fail(`is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(json)) throw fail('must hold a JSON object such as { "turn": "{role}: {content}\\n" }');
  const unknown = Object.keys(json).filter((key) => !FIELDS.includes(key));
  if (unknown.length > 0) {
    throw fail(
      `has unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; use ${FIELDS.join(", ")}`,
    );
  }
  if (typeof json.turn !== "string") throw fail('needs "turn", a string with {role} and {content}');
  for (const field of STRING_FIELDS) {
    if (json[field] !== undefined && typeof json[field] !== "string")
      throw fail(`has a "${field}" that is not a string`);
  }
  for (const field of MAP_FIELDS) {
    const value = json[field];
    if (value === undefined) continue;
    if (!isRecord(value) || !Object.values(value).every((v) => typeof v === "string")) {
      throw fail(`has a "${field}" that is not an object of strings by role`);
    }
  }
  return json as unknown as ChatTemplate;
}

function isTemplateName(value: string): value is ChatTemplateName {
  return Object.prototype.hasOwnProperty.call(CHAT_TEMPLATES, value);
}

/** The template a setting names: `llama3`, `tulu`, `chatml`, or the path of a JSON template file. */
export function resolveChatTemplate(
  value: string,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): ChatTemplate {
  if (isTemplateName(value)) return CHAT_TEMPLATES[value];
  let text: string;
  try {
    text = readFile(value);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TpoConfigError(
      `${REWARD_TEMPLATE_SETTING} is "${value}", which is neither a template name ` +
        `(${Object.keys(CHAT_TEMPLATES).join(", ")}) nor a readable template file` +
        `${code ? ` (${code})` : ""}.`,
    );
  }
  return parseChatTemplateJson(text, value);
}
