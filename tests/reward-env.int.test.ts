import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { modelSettingsFromEnv } from "../src/from-env/models-from-env.js";
import { createRewardModelFromSettings } from "../src/from-env/reward-model-from-settings.js";
import { SimChatModel } from "../src/sim/index.js";
import { startStub } from "./helpers/reward-stub.js";

const policy = new SimChatModel();

describe("a reward model built from the environment, against a stub server", () => {
  it("sends TPO_REWARD_MODEL as the model and TPO_REWARD_API_KEY as the bearer token", async () => {
    const server = await startStub(() => ({ json: { data: [{ index: 0, data: 2.5 }] } }));
    try {
      const settings = modelSettingsFromEnv({
        TPO_REWARD_URL: server.url,
        TPO_REWARD_KIND: "vllm-pooling",
        TPO_REWARD_MODEL: "Ray2333/GRM-Llama3.2-3B-rewardmodel-ft",
        TPO_REWARD_API_KEY: "secret",
      });
      const served = createRewardModelFromSettings(settings, policy);
      expect(await served.score([{ messages: [new HumanMessage("q")], response: "r" }])).toEqual([2.5]);
      expect(server.requests[0].body).toMatchObject({ model: "Ray2333/GRM-Llama3.2-3B-rewardmodel-ft" });
      expect(server.requests[0].headers.authorization).toBe("Bearer secret");
    } finally {
      await server.close();
    }
  });
});
