import { describe, expect, it } from "vitest";
import {
  DEFAULT_PROMPTS,
  TpoSettingsError,
  createSimWorld,
  createTpoGraph,
  parseTpoContext,
  preset,
} from "../src/index.js";
import { cutAtStop, SimChatModel } from "../src/sim/chat-model.js";
import { REFERENCE_STOP } from "../src/settings/presets.js";
import { parseChatCompletionRequest } from "../src/server/request.js";
import { ApiError } from "../src/server/http-io.js";
import {
  RecordingRewardModel,
  ScriptedChatModel,
  uniqueResponder,
  type RecordedCall,
} from "./helpers/fakes.js";

function recordedRun() {
  const policy = new ScriptedChatModel(uniqueResponder());
  const graph = createTpoGraph({ policy, rewardModel: new RecordingRewardModel() });
  return { policy, graph };
}

/** The step a recorded call belongs to, by what its prompt shows. */
function stepOf(call: RecordedCall): string {
  if (call.prompt.includes("<suggestions>")) return "update";
  if (call.prompt.includes("<critique>")) return "gradient";
  if (call.prompt.includes("<query>")) return "critique";
  return "generate";
}

function settingsError(run: () => unknown): TpoSettingsError {
  try {
    run();
  } catch (error) {
    if (error instanceof TpoSettingsError) return error;
    throw error;
  }
  throw new Error("expected a TpoSettingsError");
}

describe("the conversation layout and prompt settings", () => {
  it("refuses a prompt setting beside criticLayout conversation, naming the prompt", () => {
    const error = settingsError(() =>
      parseTpoContext({ criticLayout: "conversation", gradientUserPrompt: "{critique}" }),
    );
    expect(error.field).toBe("gradientUserPrompt");
    expect(error.message).toContain('criticLayout "separate"');
    // The same prompt with the separate layout, and the conversation layout alone, are fine.
    expect(parseTpoContext({ gradientUserPrompt: "{critique}" }).gradientUserPrompt).toBe("{critique}");
    expect(parseTpoContext({ criticLayout: "conversation" }).criticLayout).toBe("conversation");
  });

  it("refuses such a run before any model request", async () => {
    const { policy, graph } = recordedRun();
    await expect(
      graph.invoke(
        { query: "q" },
        { context: { criticLayout: "conversation", critiqueSystemPrompt: "Judge." } },
      ),
    ).rejects.toThrow(TpoSettingsError);
    expect(policy.calls).toHaveLength(0);
  });

  it("refuses prompts given to createTpoGraph with the conversation layout before any critic request", async () => {
    const policy = new ScriptedChatModel(uniqueResponder());
    const graph = createTpoGraph({
      policy,
      // Distinct scores: a rejected response, so the update uses its contrastive prompt.
      rewardModel: new RecordingRewardModel((text) => text.charCodeAt(text.length - 1)),
      prompts: { update: { system: "MY UPDATE" } },
    });
    await expect(
      graph.invoke({ query: "q" }, { context: { width: 2, depth: 1, criticLayout: "conversation" } }),
    ).rejects.toThrow(/own "update" prompt.*criticLayout "separate"/);
    expect(policy.calls.map(stepOf)).toEqual(["generate"]);
    // The separate layout uses them.
    await graph.invoke({ query: "q" }, { context: { width: 2, depth: 1 } });
    expect(policy.calls.filter((c) => c.messages[0].text === "MY UPDATE")).toHaveLength(1);
  });

  it("refuses a graph's own user prompt too, naming criticLayout; the default prompts run", async () => {
    const policy = new ScriptedChatModel(uniqueResponder());
    const rewardModel = new RecordingRewardModel((text) => text.charCodeAt(text.length - 1));
    const context = { width: 2, depth: 1, criticLayout: "conversation" as const };
    const own = createTpoGraph({ policy, rewardModel, prompts: { critique: { user: "Judge {chosen}." } } });
    const error = await own.invoke({ query: "q" }, { context }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TpoSettingsError);
    expect((error as TpoSettingsError).field).toBe("criticLayout");
    expect((error as Error).message).toContain('own "critique" prompt');
    // The default prompts, given or left out, are the conversation template's: the run goes on.
    for (const prompts of [undefined, DEFAULT_PROMPTS]) {
      const out = await createTpoGraph({ policy, rewardModel, prompts }).invoke({ query: "q" }, { context });
      expect(out.history.map((record) => record.iteration)).toEqual([0, 1]);
    }
  });

  it("is refused by the server as a 400 naming tpo.<prompt>", () => {
    const body = {
      messages: [{ role: "user", content: "q" }],
      tpo: { criticLayout: "conversation", updateUserPrompt: "Rewrite {chosen}." },
    };
    let error: unknown;
    try {
      parseChatCompletionRequest(body);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).param).toBe("tpo.updateUserPrompt");
  });
});

describe("seeds under the official preset", () => {
  it("send the seed itself on every generate and update request, and none on the critic's", async () => {
    const { policy, graph } = recordedRun();
    await graph.invoke({ query: "q" }, { context: preset("official") });
    const seeds = policy.calls.map((call) => [stepOf(call), call.options.seed]);
    expect(seeds).toEqual([
      ["generate", 7],
      ["critique", undefined],
      ["gradient", undefined],
      ["update", 7],
      ["critique", undefined],
      ["gradient", undefined],
      ["update", 7],
    ]);
  });

  it("keep seed + i for sample i of parallel requests, so that they differ", async () => {
    const { policy, graph } = recordedRun();
    await graph.invoke(
      { query: "q" },
      { context: preset("official", { width: 3, depth: 1, sampling: "parallel" }) },
    );
    const sampled = policy.calls.filter((c) => ["generate", "update"].includes(stepOf(c)));
    expect(sampled.map((c) => c.options.seed)).toEqual([7, 8, 9, 7, 8, 9]);
  });

  it("differ from the default scheme, which moves the seed on with the iteration and seeds the critic", async () => {
    const { policy, graph } = recordedRun();
    await graph.invoke({ query: "q" }, { context: { width: 5, depth: 2, seed: 7 } });
    const seeds = policy.calls.map((call) => [stepOf(call), call.options.seed]);
    expect(seeds).toEqual([
      ["generate", 7],
      ["critique", 12],
      ["gradient", 12],
      ["update", 12],
      ["critique", 17],
      ["gradient", 17],
      ["update", 17],
    ]);
  });
});

describe("stop strings", () => {
  it("go to generate and update (stop), and to critique and gradient (criticStop)", async () => {
    const { policy, graph } = recordedRun();
    await graph.invoke(
      { query: "q" },
      { context: { width: 2, depth: 1, stop: ["</s>"], criticStop: ["<|eot|>", "###"] } },
    );
    expect(policy.calls.map((call) => [stepOf(call), call.options.stop])).toEqual([
      ["generate", ["</s>"]],
      ["critique", ["<|eot|>", "###"]],
      ["gradient", ["<|eot|>", "###"]],
      ["update", ["</s>"]],
    ]);
  });

  it("are left out of requests when unset or empty", async () => {
    const { policy, graph } = recordedRun();
    await graph.invoke({ query: "q" }, { context: { width: 2, depth: 1, stop: [] } });
    expect(policy.calls.every((call) => !("stop" in call.options))).toBe(true);
  });

  it("are the reference engine's under the official preset, on every request", async () => {
    expect(REFERENCE_STOP).toEqual(["<|end_of_text|>", "<|eot_id|>", "<|im_end|>"]);
    const { policy, graph } = recordedRun();
    await graph.invoke({ query: "q" }, { context: preset("official", { depth: 1 }) });
    expect(policy.calls).toHaveLength(4);
    for (const call of policy.calls) expect(call.options.stop).toEqual(REFERENCE_STOP);
  });

  it("are checked: at most 16, none empty", () => {
    expect(settingsError(() => parseTpoContext({ stop: [""] })).field).toBe("stop.0");
    expect(settingsError(() => parseTpoContext({ criticStop: Array(17).fill("x") })).field).toBe(
      "criticStop",
    );
    expect(parseTpoContext({ stop: Array(16).fill("x") }).stop).toHaveLength(16);
  });

  it("end the simulated world's answers where a server would stop", async () => {
    expect(cutAtStop("one two three two", ["two", "three"])).toBe("one ");
    expect(cutAtStop("one two", ["four"])).toBe("one two");
    expect(cutAtStop("one two", undefined)).toBe("one two");
    const model = new SimChatModel({ seed: 1 });
    const whole = (await model.invoke("What is kevlar made out of?", { seed: 3 })).text;
    const word = whole.split(/\s+/)[2];
    const cut = (await model.invoke("What is kevlar made out of?", { seed: 3, stop: [word] })).text;
    expect(cut).toBe(whole.slice(0, whole.indexOf(word)));
  });

  it("come from OpenAI's stop field in a server request, as the answer's (generate and update)", () => {
    const request = (stop: unknown) =>
      parseChatCompletionRequest({ messages: [{ role: "user", content: "q" }], stop }).settings;
    expect(request("END").stop).toEqual(["END"]);
    expect(request(["a", "b"]).stop).toEqual(["a", "b"]);
    expect(request(null).stop).toBeUndefined();
    expect(request(["a"]).criticStop).toBeUndefined();
    expect(() => request(3)).toThrow(ApiError);
  });
});

describe("the official preset", () => {
  it("takes its settings from the reference: a seed scheme, stop strings, the engine's 8192 critic tokens", () => {
    const ctx = parseTpoContext(preset("official"));
    expect(ctx).toMatchObject({
      seed: 7,
      seedScheme: "reference",
      stop: REFERENCE_STOP,
      criticStop: REFERENCE_STOP,
      criticMaxTokens: 8192,
    });
    expect(parseTpoContext({}).seedScheme).toBe("spread");
  });

  it("runs in the simulated world", async () => {
    const graph = createTpoGraph(createSimWorld());
    const out = await graph.invoke(
      { query: "How do I take care of a wooden table?" },
      { context: preset("official") },
    );
    expect(out.history).toHaveLength(3);
  });
});
