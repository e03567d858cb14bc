import type { BaseMessage } from "@langchain/core/messages";
import { getConfigTypeSchema } from "@langchain/langgraph/zod/schema";
import { describe, expect, it } from "vitest";
import { CRITIQUE_PROMPT, GRADIENT_PROMPT, UPDATE_PROMPT } from "../src/prompts/index.js";
import {
  DEFAULT_PROMPTS,
  TpoSettingsError,
  createSimWorld,
  createTpoGraph,
  parseTpoContext,
} from "../src/index.js";
import { promptsForRun } from "../src/settings/prompt-fields.js";

/** The system prompt of every model call, by TPO stage. */
function recordSystemPrompts() {
  const byStage: Record<string, string[]> = {};
  const handler = {
    handleChatModelStart(
      _llm: unknown,
      messages: BaseMessage[][],
      _runId: string,
      _parent?: string,
      _extra?: unknown,
      _tags?: string[],
      metadata?: Record<string, unknown>,
    ) {
      const stage = String(metadata?.tpo_stage);
      (byStage[stage] ??= []).push(String(messages[0][0].content));
    },
  };
  return { byStage, handler };
}

describe("prompts in the run settings", () => {
  it("are optional: unset, the graph uses its own templates", () => {
    const ctx = parseTpoContext({});
    expect(ctx.critiqueSystemPrompt).toBeUndefined();
    expect(promptsForRun(DEFAULT_PROMPTS, ctx)).toEqual(DEFAULT_PROMPTS);
    const given = promptsForRun(DEFAULT_PROMPTS, parseTpoContext({ gradientUserPrompt: "{critique}" }));
    expect(given.gradient).toEqual({ system: GRADIENT_PROMPT.system, user: "{critique}" });
    expect(given.critique).toBe(DEFAULT_PROMPTS.critique);
  });

  it("fail on an empty prompt, naming the field", () => {
    expect(() => parseTpoContext({ updateSystemPrompt: "" })).toThrow(TpoSettingsError);
    try {
      parseTpoContext({ updateSystemPrompt: "" });
    } catch (error) {
      expect((error as TpoSettingsError).field).toBe("updateSystemPrompt");
    }
  });

  it("override the build-time prompts of critique, gradient and update for one run", async () => {
    const graph = createTpoGraph({
      ...createSimWorld(),
      prompts: { gradient: { system: "BUILD-TIME GRADIENT" } },
    });
    const plain = recordSystemPrompts();
    await graph.invoke(
      { query: "How do I sharpen a knife?" },
      { context: { width: 2, depth: 1 }, callbacks: [plain.handler] },
    );
    expect(plain.byStage.critique).toEqual([CRITIQUE_PROMPT.system]);
    expect(plain.byStage.gradient).toEqual(["BUILD-TIME GRADIENT"]);
    expect(new Set(plain.byStage.update)).toEqual(new Set([UPDATE_PROMPT.system]));

    const edited = recordSystemPrompts();
    await graph.invoke(
      { query: "How do I sharpen a knife?" },
      {
        context: {
          width: 2,
          depth: 1,
          critiqueSystemPrompt: "RUN CRITIQUE",
          gradientSystemPrompt: "RUN GRADIENT",
          updateSystemPrompt: `RUN UPDATE ${"<improved_response>"}`,
        },
        callbacks: [edited.handler],
      },
    );
    expect(edited.byStage.critique).toEqual(["RUN CRITIQUE"]);
    expect(edited.byStage.gradient).toEqual(["RUN GRADIENT"]);
    expect(new Set(edited.byStage.update)).toEqual(new Set(["RUN UPDATE <improved_response>"]));
  });
});

describe("the context schema as LangGraph Studio reads it", () => {
  const schema = getConfigTypeSchema(createTpoGraph(createSimWorld())) as {
    properties: Record<string, Record<string, unknown>>;
  };

  it("lists the settings with descriptions and defaults", () => {
    const expected = {
      width: 5,
      depth: 2,
      mode: "tpo",
      temperature: 0.7,
      topP: 0.95,
      maxTokens: 2048,
      sampling: "auto",
    };
    for (const [field, value] of Object.entries(expected)) {
      expect(schema.properties[field]).toMatchObject({ default: value, description: expect.any(String) });
    }
    expect(schema.properties.seed.description).toEqual(expect.any(String));
  });

  it("marks the prompt templates as prompts of their nodes, with the templates as defaults", () => {
    const nodes = {
      critiqueSystemPrompt: ["critique", CRITIQUE_PROMPT.system],
      critiqueUserPrompt: ["critique", CRITIQUE_PROMPT.user],
      revisionCritiqueSystemPrompt: ["critique", DEFAULT_PROMPTS.revisionCritique.system],
      revisionCritiqueUserPrompt: ["critique", DEFAULT_PROMPTS.revisionCritique.user],
      gradientSystemPrompt: ["gradient", GRADIENT_PROMPT.system],
      gradientUserPrompt: ["gradient", GRADIENT_PROMPT.user],
      revisionGradientSystemPrompt: ["gradient", DEFAULT_PROMPTS.revisionGradient.system],
      revisionGradientUserPrompt: ["gradient", DEFAULT_PROMPTS.revisionGradient.user],
      updateSystemPrompt: ["update", UPDATE_PROMPT.system],
      updateUserPrompt: ["update", UPDATE_PROMPT.user],
      revisionUpdateSystemPrompt: ["update", DEFAULT_PROMPTS.revisionUpdate.system],
      revisionUpdateUserPrompt: ["update", DEFAULT_PROMPTS.revisionUpdate.user],
    };
    for (const [field, [node, template]] of Object.entries(nodes)) {
      expect(schema.properties[field]).toMatchObject({
        type: "string",
        langgraph_nodes: [node],
        langgraph_type: "prompt",
        default: template,
        description: expect.stringContaining("prompt"),
      });
    }
  });
});
