import { getConfigTypeSchema } from "@langchain/langgraph/zod/schema";
import { describe, expect, it } from "vitest";
import { createTpoGraph, TPO_RECURSION_LIMIT } from "../src/graph/builder.js";
import { TpoSettingsError } from "../src/errors.js";
import {
  promptContextFields,
  promptFieldName,
  promptSettingsIn,
  refusePromptsInConversation,
} from "../src/settings/prompt-fields.js";
import { preset, TPO_PRESET_NAMES } from "../src/settings/presets.js";
import {
  ensureContext,
  MAX_DEPTH,
  MAX_STOP_STRINGS,
  parseTpoContext,
  TpoContextSchema,
} from "../src/settings/run-settings.js";
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
  it("says which requests each list of stop strings is for", () => {
    expect(studio.properties.stop.description).toMatch(
      /^Stop strings of the generate and update requests \(the policy's samples and the rewrites\): /,
    );
    expect(studio.properties.criticStop.description).toMatch(
      /^Stop strings of the critique and gradient requests: /,
    );
  });

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
    for (const field of Object.keys(promptContextFields)) {
      expect(studio.properties[field].description, field).toMatch(
        / prompt\. Unset: the graph's own template \(the default shown, or the prompts given to createTpoGraph\)\.$/,
      );
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

describe("the bounds of each setting", () => {
  const refusedField = (context: object): string | null => {
    try {
      parseTpoContext(context);
      return null;
    } catch (error) {
      return (error as TpoSettingsError).field;
    }
  };
  const long = (n: number) => "x".repeat(n);
  const strings = (n: number) => Array.from({ length: n }, (_, i) => `<stop${i}>`);
  const promptFields = Object.keys(promptContextFields);

  it.each<[string, unknown[], unknown[]]>([
    ["width", [1, 64], [0, 65, 2.5]],
    ["depth", [0, MAX_DEPTH], [-1, MAX_DEPTH + 1, 1.5]],
    ["temperature", [0, 2], [-0.01, 2.01]],
    ["topP", [0.01, 1], [0, 1.01]],
    ["maxTokens", [1, 100_000], [0, 1.5]],
    ["criticTemperature", [0, 2], [-0.01, 2.01]],
    ["criticTopP", [0.01, 1], [0, 1.01]],
    ["criticMaxTokens", [1, 100_000], [0, 1.5]],
    ["seed", [0, -3, 2 ** 31], [1.5]],
    ["patience", [1, 10], [0, 1.5]],
    ["budgetTokens", [0, 10 ** 9], [-1, 1.5]],
    ["budgetRequests", [0, 10], [-1, 1.5]],
    ["targetScore", [-1e6, 0, 3.5], ["3"]],
    ["systemPrompt", ["x", long(10_000)], [""]],
    [
      "stop",
      [[], ["x"], strings(MAX_STOP_STRINGS), [long(200)]],
      [strings(MAX_STOP_STRINGS + 1), [long(201)], [""]],
    ],
    [
      "criticStop",
      [[], strings(MAX_STOP_STRINGS), [long(200)]],
      [strings(MAX_STOP_STRINGS + 1), [long(201)], [""]],
    ],
  ])("%s: takes its bounds, refuses one step past them, naming the field", (field, taken, refused) => {
    for (const value of taken) expect(refusedField({ [field]: value }), JSON.stringify(value)).toBeNull();
    for (const value of refused) {
      expect(refusedField({ [field]: value }), JSON.stringify(value)).toMatch(
        new RegExp(`^${field}(\\.\\d+)?$`),
      );
    }
  });

  it("every prompt setting takes any text but none", () => {
    expect(promptFields).toHaveLength(12);
    for (const field of promptFields) {
      expect(parseTpoContext({ [field]: "{query}" })).toMatchObject({ [field]: "{query}" });
      expect(refusedField({ [field]: "" })).toBe(field);
    }
  });

  it("the deepest run they allow ends within the graph's recursion limit", async () => {
    const out = await createTpoGraph(createSimWorld()).invoke(
      { query: "Name a prime number." },
      { context: { width: 1, depth: MAX_DEPTH, mode: "revision" }, recursionLimit: TPO_RECURSION_LIMIT },
    );
    expect(out.iteration).toBe(MAX_DEPTH);
    expect(out.stopReason).toBe("depth");
  });
});

describe("the official preset", () => {
  it("is the reference's published run: its sampling, seed, critic defaults, system prompt and stop strings", () => {
    const stop = ["<|end_of_text|>", "<|eot_id|>", "<|im_end|>"];
    expect(preset("official")).toEqual({
      mode: "tpo",
      width: 5,
      depth: 2,
      temperature: 0.7,
      topP: 0.95,
      maxTokens: 2048,
      seed: 7,
      seedScheme: "reference",
      stop,
      criticTemperature: 0.7,
      criticTopP: 0.99,
      criticMaxTokens: 8192,
      criticStop: stop,
      systemPrompt: "You are a helpful, creative, and smart assistant.",
      untaggedRewrites: "drop",
    });
    expect(preset("official", { depth: 3, stop: ["END"] })).toMatchObject({
      depth: 3,
      stop: ["END"],
      width: 5,
    });
  });
});
