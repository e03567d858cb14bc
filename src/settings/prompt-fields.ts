import { registry } from "@langchain/langgraph/zod";
import { z } from "zod";
import { TpoSettingsError } from "../errors.js";
import { DEFAULT_PROMPTS, type PromptTemplate, type TpoPrompts } from "../prompts/index.js";

type PromptKey = keyof TpoPrompts;
type PromptPart = keyof PromptTemplate;

/** Which node formats each prompt family: Studio shows a prompt on its node. */
const PROMPT_NODES: Record<PromptKey, string> = {
  critique: "critique",
  revisionCritique: "critique",
  gradient: "gradient",
  revisionGradient: "gradient",
  update: "update",
  revisionUpdate: "update",
};

const PROMPT_LABELS: Record<PromptKey, string> = {
  critique: "critique (mode tpo: chosen vs rejected)",
  revisionCritique: "critique of the chosen response alone (mode revision, or no rejected response yet)",
  gradient: "gradient (mode tpo: chosen, rejected and critique)",
  revisionGradient: "gradient of the chosen response alone (mode revision, or no rejected response yet)",
  update: "update (mode tpo: chosen, rejected, critique and suggestions)",
  revisionUpdate: "update of the chosen response alone (mode revision, or no rejected response yet)",
};

/** The context field of one part of a prompt family, e.g. critiqueSystemPrompt. */
export function promptFieldName(key: PromptKey, part: PromptPart): string {
  return `${key}${part === "system" ? "System" : "User"}Prompt`;
}

function promptField(key: PromptKey, part: PromptPart) {
  const schema = z
    .string()
    .min(1)
    .optional()
    .describe(
      `The ${part} message of the ${PROMPT_LABELS[key]} prompt. Unset: the graph's own template ` +
        `(the default shown, or the prompts given to createTpoGraph).`,
    );
  // Studio reads this metadata from the schema's JSON form: it shows the field as an editable
  // prompt of its node. The default is only shown there; parsing leaves an unset field unset.
  registry.add(schema, {
    jsonSchemaExtra: {
      langgraph_nodes: [PROMPT_NODES[key]],
      langgraph_type: "prompt",
      default: DEFAULT_PROMPTS[key][part],
    },
  });
  return schema;
}

/** Optional prompt overrides in the run settings, one per part of each prompt family. */
export const promptContextFields = {
  critiqueSystemPrompt: promptField("critique", "system"),
  critiqueUserPrompt: promptField("critique", "user"),
  revisionCritiqueSystemPrompt: promptField("revisionCritique", "system"),
  revisionCritiqueUserPrompt: promptField("revisionCritique", "user"),
  gradientSystemPrompt: promptField("gradient", "system"),
  gradientUserPrompt: promptField("gradient", "user"),
  revisionGradientSystemPrompt: promptField("revisionGradient", "system"),
  revisionGradientUserPrompt: promptField("revisionGradient", "user"),
  updateSystemPrompt: promptField("update", "system"),
  updateUserPrompt: promptField("update", "user"),
  revisionUpdateSystemPrompt: promptField("revisionUpdate", "system"),
  revisionUpdateUserPrompt: promptField("revisionUpdate", "user"),
};

/** The prompts of a run: the build-time prompts, with any prompt given in the run settings on top. */
export function promptsForRun(prompts: TpoPrompts, context: object): TpoPrompts {
  const settings = context as Record<string, unknown>;
  const resolved = { ...prompts };
  for (const key of Object.keys(prompts) as PromptKey[]) {
    const system = settings[promptFieldName(key, "system")];
    const user = settings[promptFieldName(key, "user")];
    if (typeof system === "string" || typeof user === "string") {
      resolved[key] = {
        system: typeof system === "string" ? system : prompts[key].system,
        user: typeof user === "string" ? user : prompts[key].user,
      };
    }
  }
  return resolved;
}

/** The prompt settings that a run's settings set, by field name. */
export function promptSettingsIn(context: object): string[] {
  const settings = context as Record<string, unknown>;
  return Object.keys(promptContextFields).filter((field) => typeof settings[field] === "string");
}

/**
 * Layout `conversation` asks the critic with its own conversation template, which the per-step
 * prompts do not fit: a prompt setting beside it is refused rather than silently ignored.
 */
export function refusePromptsInConversation<T extends { criticLayout: string }>(context: T): T {
  if (context.criticLayout !== "conversation") return context;
  const [field] = promptSettingsIn(context);
  if (field === undefined) return context;
  throw new TpoSettingsError(
    field,
    `The prompt setting "${field}" does not apply with criticLayout "conversation", whose steps share ` +
      `one conversation template: unset it, or use criticLayout "separate".`,
  );
}
