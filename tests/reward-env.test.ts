import { describe, expect, it } from "vitest";
import { TpoConfigError } from "../src/errors.js";
import { loadModels, modelSettingsFromEnv } from "../src/from-env/models-from-env.js";
import type { HttpRewardModel } from "../src/models/reward/http-reward.js";
import { createRewardModelFromSettings } from "../src/from-env/reward-model-from-settings.js";
import { SimChatModel } from "../src/sim/index.js";
import { fileURLToPath } from "node:url";
import { ScriptedChatModel } from "./helpers/fakes.js";

const policy = new SimChatModel();

describe("createRewardModelFromSettings", () => {
  it("builds an HTTP reward model from TPO_REWARD_URL, TPO_REWARD_KIND and TPO_REWARD_MODEL", () => {
    const settings = modelSettingsFromEnv({
      TPO_REWARD_URL: "http://localhost:8000/",
      TPO_REWARD_KIND: "vllm-pooling",
      TPO_REWARD_MODEL: "Ray2333/GRM-Llama3.2-3B-rewardmodel-ft",
      TPO_REWARD_API_KEY: "secret",
    });
    const model = createRewardModelFromSettings(settings, policy) as HttpRewardModel;
    expect(model.kind).toBe("vllm-pooling");
    expect(model.endpoint).toBe("http://localhost:8000/pooling");
    expect(model.name).toBe("vllm-pooling http://localhost:8000/pooling");
  });

  it("maps every kind to its endpoint", () => {
    const endpoint = (kind: string) =>
      (
        createRewardModelFromSettings(
          { rewardUrl: "http://rm:9", rewardKind: kind, rewardModel: "m" },
          policy,
        ) as HttpRewardModel
      ).endpoint;
    expect(endpoint("vllm-classify")).toBe("http://rm:9/classify");
    expect(endpoint("tei")).toBe("http://rm:9/predict");
    expect(endpoint("sglang")).toBe("http://rm:9/classify");
    expect(endpoint("nim")).toBe("http://rm:9/v1/chat/completions");
  });

  it("needs a kind with a URL, and lists the kinds", () => {
    expect(() => createRewardModelFromSettings({ rewardUrl: "http://rm:9" }, policy)).toThrow(TpoConfigError);
    expect(() => createRewardModelFromSettings({ rewardUrl: "http://rm:9" }, policy)).toThrow(
      "TPO_REWARD_URL is set, so TPO_REWARD_KIND must say what kind of server it is: one of vllm-pooling, vllm-classify, tei, sglang, nim.",
    );
  });

  it("rejects an unknown kind, and lists the kinds", () => {
    expect(() =>
      createRewardModelFromSettings({ rewardUrl: "http://rm:9", rewardKind: "vllm" }, policy),
    ).toThrow('Unknown TPO_REWARD_KIND "vllm": use one of vllm-pooling, vllm-classify, tei, sglang, nim.');
  });

  it("rejects a kind without a URL", () => {
    expect(() => createRewardModelFromSettings({ rewardKind: "tei" }, policy)).toThrow(
      /TPO_REWARD_URL is not set/,
    );
  });

  it("falls back to an LLM judge on the policy without a URL, which needs structured output", () => {
    expect(createRewardModelFromSettings({}, policy).name).toBe("judge tpo-sim");
    const withoutTools = new ScriptedChatModel(() => "");
    expect(() => createRewardModelFromSettings({}, withoutTools)).toThrow(TpoConfigError);
    expect(() => createRewardModelFromSettings({}, withoutTools)).toThrow(
      /The LLM judge needs a chat model with structured output, and "scripted" has none/,
    );
  });

  it("is what loadModels uses for an OpenAI-compatible policy", () => {
    const models = loadModels({
      baseUrl: "http://127.0.0.1:1/v1",
      model: "policy",
      rewardUrl: "http://127.0.0.1:2",
      rewardKind: "tei",
    });
    expect((models.rewardModel as HttpRewardModel).endpoint).toBe("http://127.0.0.1:2/predict");
    const judged = loadModels({ apiKey: "sk-test", model: "gpt-4o-mini" });
    expect(judged.rewardModel.name).toBe("judge openai");
  });
});

describe("TPO_REWARD_TEMPLATE and TPO_REWARD_LABEL", () => {
  const base = { TPO_REWARD_URL: "http://rm:9" };
  const build = (env: Record<string, string>) =>
    createRewardModelFromSettings(modelSettingsFromEnv({ ...base, ...env }), policy) as HttpRewardModel;

  it("are read from the environment", () => {
    expect(modelSettingsFromEnv({ TPO_REWARD_TEMPLATE: " tulu ", TPO_REWARD_LABEL: "2" })).toMatchObject({
      rewardTemplate: "tulu",
      rewardLabel: 2,
    });
    expect(modelSettingsFromEnv({})).toMatchObject({ rewardTemplate: undefined, rewardLabel: undefined });
  });

  it("build a reward model with a named template, a template file, or a label index", () => {
    const file = fileURLToPath(new URL("./fixtures/reward-templates/chatml-bos.json", import.meta.url));
    expect(build({ TPO_REWARD_KIND: "tei", TPO_REWARD_TEMPLATE: "chatml" }).kind).toBe("tei");
    expect(build({ TPO_REWARD_KIND: "sglang", TPO_REWARD_TEMPLATE: file }).kind).toBe("sglang");
    expect(build({ TPO_REWARD_KIND: "vllm-pooling", TPO_REWARD_LABEL: "0" }).kind).toBe("vllm-pooling");
  });

  it("reject a label that is not a whole number, naming the variable", () => {
    for (const value of ["x", "-1", "1.5"]) {
      expect(() => modelSettingsFromEnv({ TPO_REWARD_LABEL: value })).toThrow(TpoConfigError);
      expect(() => modelSettingsFromEnv({ TPO_REWARD_LABEL: value })).toThrow(
        `TPO_REWARD_LABEL must be a whole number of 0 or more, got "${value}".`,
      );
    }
  });

  it("reject an unknown template name, naming the flag and the variable", () => {
    expect(() => build({ TPO_REWARD_KIND: "tei", TPO_REWARD_TEMPLATE: "llama-3" })).toThrow(
      '--reward-template / TPO_REWARD_TEMPLATE is "llama-3", which is neither a template name (llama3, tulu, chatml) nor a readable template file (ENOENT).',
    );
  });

  it("reject a template or a label for a kind that does not use it", () => {
    expect(() => build({ TPO_REWARD_KIND: "vllm-pooling", TPO_REWARD_TEMPLATE: "tulu" })).toThrow(
      /--reward-template \/ TPO_REWARD_TEMPLATE.*applies to the tei and sglang kinds, not vllm-pooling/,
    );
    expect(() => build({ TPO_REWARD_KIND: "tei", TPO_REWARD_LABEL: "1" })).toThrow(
      /--reward-label \/ TPO_REWARD_LABEL.*applies to the vllm-pooling and vllm-classify kinds, not tei/,
    );
  });

  it("reject either without a reward server", () => {
    expect(() => createRewardModelFromSettings({ rewardTemplate: "tulu" }, policy)).toThrow(
      "TPO_REWARD_TEMPLATE (--reward-template) set without TPO_REWARD_URL",
    );
    expect(() => createRewardModelFromSettings({ rewardTemplate: "tulu", rewardLabel: 0 }, policy)).toThrow(
      "TPO_REWARD_TEMPLATE (--reward-template) and TPO_REWARD_LABEL (--reward-label) set without TPO_REWARD_URL",
    );
  });
});
