import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { AzureChatOpenAI } from "@langchain/openai";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTpoGraph } from "../src/graph/builder.js";
import { createOpenAIChatModel } from "../src/models/chat/openai.js";
import { modelWithSampling } from "../src/models/chat/sampling-call-options.js";
import { completeOnce, sampleResponses } from "../src/models/chat/sample-responses.js";
import { SimChatModel } from "../src/sim/index.js";
import { RecordingRewardModel } from "./helpers/fakes.js";

const messages = [new HumanMessage("q")];
const settings = { temperature: 0.3, topP: 0.8, maxTokens: 77, seed: 5 };
const ALL = { ...settings, n: 3 };

/** A chat model that reads no sampling setting at all; records nothing, answers distinct texts. */
class BareChatModel extends BaseChatModel {
  private count = 0;
  _llmType(): string {
    return "bare";
  }
  async _generate(): Promise<ChatResult> {
    const text = `<improved_response>answer ${this.count++}</improved_response>`;
    return { generations: [{ text, message: new AIMessage(text) }] };
  }
}

/** Fields named as ChatAnthropic's (temperature, topP, maxTokens; no n, no seed), read per request. */
class AnthropicLikeChatModel extends BareChatModel {
  temperature?: number;
  topP?: number;
  maxTokens: number;
  readonly requests: Record<string, unknown>[] = [];
  constructor(fields: { temperature?: number; topP?: number; maxTokens?: number } = {}) {
    super({});
    this.temperature = fields.temperature;
    this.topP = fields.topP;
    this.maxTokens = fields.maxTokens ?? 1024;
  }
  override async _generate(): Promise<ChatResult> {
    this.requests.push({ temperature: this.temperature, topP: this.topP, maxTokens: this.maxTokens });
    return super._generate();
  }
}

/** Fields named as ChatOllama's (temperature, topP, numPredict, seed; no n), read per request. */
class OllamaLikeChatModel extends BareChatModel {
  temperature?: number;
  topP?: number;
  numPredict?: number;
  seed?: number;
  readonly requests: Record<string, unknown>[] = [];
  constructor() {
    super({});
    this.temperature = undefined;
    this.topP = undefined;
    this.numPredict = undefined;
    this.seed = undefined;
  }
  override async _generate(): Promise<ChatResult> {
    const { temperature, topP, numPredict, seed } = this;
    this.requests.push({ temperature, topP, numPredict, seed });
    return super._generate();
  }
}

function captureWarnings() {
  return vi.spyOn(process, "emitWarning").mockImplementation(() => {});
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("settings reach models through their fields", () => {
  it("sets ChatAnthropic-like fields per request, tops up n in parallel, and warns about the seed only", async () => {
    const warn = captureWarnings();
    const model = new AnthropicLikeChatModel({ temperature: 1 });
    const result = await sampleResponses(model, messages, 3, settings, "auto");
    expect(result.texts).toHaveLength(3);
    expect(result.method).toBe("n+parallel");
    expect(model.requests).toEqual(Array(3).fill({ temperature: 0.3, topP: 0.8, maxTokens: 77 }));
    expect(warn).toHaveBeenCalledTimes(1);
    const [message, options] = warn.mock.calls[0] as [string, { type: string; code: string }];
    expect(message).toContain("AnthropicLikeChatModel");
    expect(message).toMatch(/setting seed:/);
    expect(message).not.toMatch(/\bn\b/);
    expect(options).toEqual({ type: "TpoSettingsWarning", code: "TPO_SETTINGS_IGNORED" });
    // the model keeps its own values
    expect([model.temperature, model.topP, model.maxTokens]).toEqual([1, undefined, 1024]);
  });

  it("sets ChatOllama-like fields, numPredict and each sample's seed included, without a warning", async () => {
    const warn = captureWarnings();
    const model = new OllamaLikeChatModel();
    await sampleResponses(model, messages, 2, settings, "parallel");
    expect(model.requests).toEqual([
      { temperature: 0.3, topP: 0.8, numPredict: 77, seed: 5 },
      { temperature: 0.3, topP: 0.8, numPredict: 77, seed: 6 },
    ]);
    expect(warn).not.toHaveBeenCalled();
    expect([model.temperature, model.topP, model.numPredict, model.seed]).toEqual(Array(4).fill(undefined));
  });

  it("sets the fields of the inner client an AzureChatOpenAI delegates to, and takes seed as a call option", () => {
    const azure = new AzureChatOpenAI({
      azureOpenAIApiKey: "x",
      azureOpenAIApiInstanceName: "instance",
      azureOpenAIApiDeploymentName: "deployment",
      azureOpenAIApiVersion: "2024-10-21",
    });
    const target = modelWithSampling(azure, ALL);
    expect(target.ignored).toEqual([]);
    expect(target.model).not.toBe(azure);
    expect(target.model).toBeInstanceOf(AzureChatOpenAI);
    const params = (target.model as AzureChatOpenAI).invocationParams({ seed: 5 } as never);
    expect(params).toMatchObject({ temperature: 0.3, top_p: 0.8, max_tokens: 77, n: 3, seed: 5 });
    const own = azure.invocationParams({} as never);
    expect(own).toMatchObject({
      temperature: undefined,
      top_p: undefined,
      max_tokens: undefined,
      n: undefined,
    });
  });

  it("leaves our own models, which read call options, as they are", () => {
    const sim = new SimChatModel();
    const openai = createOpenAIChatModel({ baseUrl: "http://127.0.0.1:1/v1" }, "m");
    for (const model of [sim, openai]) {
      expect(modelWithSampling(model, ALL)).toEqual({ model, ignored: [] });
    }
  });
});

describe("a model that cannot take a setting", () => {
  it("is warned about once in a whole run, naming the settings it ignores", async () => {
    const warn = captureWarnings();
    const model = new BareChatModel({});
    const graph = createTpoGraph({ policy: model, rewardModel: new RecordingRewardModel() });
    const context = { width: 2, depth: 2, ...settings };
    await graph.invoke({ query: "q" }, { context });
    expect(warn).toHaveBeenCalledTimes(1);
    const [message] = warn.mock.calls[0] as [string];
    expect(message).toContain(
      "BareChatModel cannot take the sampling settings temperature, topP, maxTokens and seed",
    );

    // The same model in a further run: already named, not repeated. Another model is named again.
    await graph.invoke({ query: "q2" }, { context });
    expect(warn).toHaveBeenCalledTimes(1);
    const other = new BareChatModel({});
    await createTpoGraph({ policy: other, rewardModel: new RecordingRewardModel() }).invoke(
      { query: "q" },
      { context },
    );
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it("names only settings that are set, and n only when nothing tops it up", async () => {
    const warn = captureWarnings();
    const model = new AnthropicLikeChatModel();
    await completeOnce(model, messages, { temperature: 0.1, maxTokens: 9 });
    await sampleResponses(model, messages, 3, { ...settings, seed: undefined }, "auto");
    expect(warn).not.toHaveBeenCalled();
    await sampleResponses(model, messages, 3, { ...settings, seed: undefined }, "n");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/setting n:/);
  });

  it("is a real Node warning, on the process's warning event", async () => {
    const received = new Promise<Error>((resolve) => process.once("warning", resolve));
    await completeOnce(new BareChatModel({}), messages, { temperature: 0.5 });
    const warning = await received;
    expect(warning.name).toBe("TpoSettingsWarning");
    expect((warning as Error & { code?: string }).code).toBe("TPO_SETTINGS_IGNORED");
    expect(warning.message).toContain("temperature");
  });
});
