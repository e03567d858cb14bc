import { getConfigTypeSchema } from "@langchain/langgraph/zod/schema";
import { describe, expect, it } from "vitest";
import { createTpoGraph } from "../src/graph/builder.js";
import { TpoSettingsError } from "../src/errors.js";
import {
  promptFieldName,
  promptSettingsIn,
  refusePromptsInConversation,
} from "../src/settings/prompt-fields.js";
import { preset, TPO_PRESET_NAMES } from "../src/settings/presets.js";
import { ensureContext, parseTpoContext, TpoContextSchema } from "../src/settings/run-settings.js";
import { createSimWorld } from "../src/sim/index.js";
import type { TpoPrompts } from "../src/prompts/index.js";

/**
 * The run settings as users meet them: the defaults docs/settings.md lists, a description of each
 * in LangGraph Studio's form, and errors that name the field.
 */

/** The defaults of docs/settings.md and docs/compute.md. */
const DEFAULTS = {
  width: 5,
  depth: 2,
  mode: "tpo",
  temperature: 0.7,
  topP: 0.95,
  maxTokens: 2048,
  sampling: "auto",
  criticTemperature: 0.7,
  criticTopP: 0.99,
  criticMaxTokens: 2048,
  untaggedRewrites: "drop",
  seedScheme: "spread",
  criticLayout: "separate",
};

const studio = getConfigTypeSchema(createTpoGraph(createSimWorld())) as {
  properties: Record<string, { description?: string; default?: unknown }>;
};

describe("the run settings' defaults", () => {
  it("are the documented ones; every other setting is unset", () => {
    const parsed = parseTpoContext({});
    expect(parsed).toEqual(DEFAULTS);
    expect(ensureContext(undefined)).toEqual(DEFAULTS);
    expect(ensureContext({ context: null })).toEqual(DEFAULTS);
    expect(ensureContext({ context: { width: 3 } })).toEqual({ ...DEFAULTS, width: 3 });
  });

  it("are shown in Studio's form", () => {
    for (const [field, value] of Object.entries(DEFAULTS)) {
      expect(studio.properties[field].default, field).toEqual(value);
    }
  });
});

describe("Studio's form", () => {
  it("describes every setting", () => {
    for (const field of Object.keys(TpoContextSchema.shape)) {
      const description = studio.properties[field]?.description ?? "";
      expect(description.length, field).toBeGreaterThan(20);
    }
  });

  it("says of each prompt which message of which step and mode it is", () => {
    const steps = ["critique", "gradient", "update"] as const;
    for (const step of steps) {
      const revision = `revision${step[0].toUpperCase()}${step.slice(1)}` as keyof TpoPrompts;
      for (const part of ["system", "user"] as const) {
        expect(studio.properties[promptFieldName(step, part)].description).toMatch(
          new RegExp(`^The ${part} message of the ${step} \\(mode tpo: `),
        );
        expect(studio.properties[promptFieldName(revision, part)].description).toMatch(
          new RegExp(`^The ${part} message of the ${step} of the chosen response alone \\(mode revision`),
        );
      }
    }
    expect(promptFieldName("revisionUpdate", "system")).toBe("revisionUpdateSystemPrompt");
    expect(promptFieldName("gradient", "user")).toBe("gradientUserPrompt");
  });
});

describe("a bad setting", () => {
  it.each([
    [{ width: 0 }, "width"],
    [{ width: 65 }, "width"],
    [{ depth: 101 }, "depth"],
    [{ mode: "best" }, "mode"],
    [{ topP: 0 }, "topP"],
    [{ maxTokens: 0 }, "maxTokens"],
    [{ criticTopP: 1.5 }, "criticTopP"],
    [{ seed: 1.5 }, "seed"],
    [{ seedScheme: "random" }, "seedScheme"],
    [{ criticLayout: "chat" }, "criticLayout"],
    [{ stop: "END" }, "stop"],
    [{ systemPrompt: "" }, "systemPrompt"],
  ])("%j fails with a TpoSettingsError naming its field", (context, field) => {
    let error: unknown;
    try {
      parseTpoContext(context);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TpoSettingsError);
    expect((error as TpoSettingsError).field).toBe(field);
    expect((error as TpoSettingsError).message).toMatch(
      new RegExp(`^Invalid TPO setting "${field}": .+\\.$`),
    );
  });

  it("that is not an object at all names the context", () => {
    expect(() => parseTpoContext("wide")).toThrow(/^Invalid TPO setting "context": /);
  });
});

describe("prompt settings", () => {
  it("are found by name, only when set to text", () => {
    expect(promptSettingsIn({ critiqueUserPrompt: "x", updateSystemPrompt: "y", width: 3 })).toEqual([
      "critiqueUserPrompt",
      "updateSystemPrompt",
    ]);
    expect(promptSettingsIn({ critiqueUserPrompt: undefined })).toEqual([]);
  });

  it("are refused beside the conversation layout only", () => {
    const separate = { criticLayout: "separate", updateUserPrompt: "x" };
    expect(refusePromptsInConversation(separate)).toBe(separate);
    const plain = { criticLayout: "conversation" };
    expect(refusePromptsInConversation(plain)).toBe(plain);
    expect(() =>
      refusePromptsInConversation({ criticLayout: "conversation", updateUserPrompt: "x" }),
    ).toThrow(
      'The prompt setting "updateUserPrompt" does not apply with criticLayout "conversation", whose steps share one conversation template: unset it, or use criticLayout "separate".',
    );
  });
});

describe("presets", () => {
  it("are listed by name; an unknown one is a settings error that lists them", () => {
    expect(TPO_PRESET_NAMES).toEqual(["official"]);
    let error: unknown;
    try {
      preset("paper");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TpoSettingsError);
    expect((error as TpoSettingsError).field).toBe("preset");
    expect((error as Error).message).toBe('Unknown preset "paper"; the presets are: official.');
    // Not a property every object has.
    expect(() => preset("toString")).toThrow(TpoSettingsError);
  });

  it("give every call its own copy: a caller that changes one does not change the next", () => {
    const first = preset("official");
    first.stop!.push("mine");
    expect(preset("official").stop).toEqual(["<|end_of_text|>", "<|eot_id|>", "<|im_end|>"]);
  });
});
