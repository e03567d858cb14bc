import { describe, expect, it } from "vitest";
import { CliUsageError } from "../src/cli/errors.js";
import { exitCodeOf } from "../src/cli/exit-on-error.js";
import { modelSettings } from "../src/cli/flags.js";
import { loadModels } from "../src/from-env/models-from-env.js";
import { TpoConfigError } from "../src/errors.js";
import type { HttpRewardModel } from "../src/models/reward/http-reward.js";

const server = { baseUrl: "http://127.0.0.1:1/v1", model: "policy", rewardUrl: "http://127.0.0.1:2" };

describe("--reward-template and --reward-label", () => {
  it("fill the settings and win over the environment", () => {
    const env = { TPO_REWARD_TEMPLATE: "llama3", TPO_REWARD_LABEL: "3" };
    expect(modelSettings({ rewardTemplate: "tulu", rewardLabel: "1" }, env)).toMatchObject({
      rewardTemplate: "tulu",
      rewardLabel: 1,
    });
    expect(modelSettings({}, env)).toMatchObject({ rewardTemplate: "llama3", rewardLabel: 3 });
  });

  it.each([
    ["x", '--reward-label must be a number, got "x".'],
    ["-1", '--reward-label must be a whole number of 0 or more, got "-1".'],
    ["0.5", '--reward-label must be a whole number of 0 or more, got "0.5".'],
  ])("--reward-label %s is a usage error naming the flag", (value, message) => {
    const call = () => modelSettings({ rewardLabel: value }, {});
    expect(call).toThrow(CliUsageError);
    expect(call).toThrow(message);
  });

  it("a bad TPO_REWARD_LABEL is a usage error naming the variable", () => {
    const call = () => modelSettings({}, { TPO_REWARD_LABEL: "first" });
    expect(call).toThrow(CliUsageError);
    expect(call).toThrow('TPO_REWARD_LABEL must be a whole number of 0 or more, got "first".');
  });

  it("an unknown --reward-template fails model loading with a usage error (exit 2) naming the flag", () => {
    const settings = modelSettings({ ...server, rewardKind: "tei", rewardTemplate: "tulu3" }, {});
    const error = (() => {
      try {
        loadModels(settings);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TpoConfigError);
    expect((error as Error).message).toContain('--reward-template / TPO_REWARD_TEMPLATE is "tulu3"');
    expect(exitCodeOf(error)).toBe(2);
  });

  it("are accepted by the reward model the CLI loads", () => {
    const settings = modelSettings({ ...server, rewardKind: "sglang", rewardTemplate: "chatml" }, {});
    expect((loadModels(settings).rewardModel as HttpRewardModel).endpoint).toBe(
      "http://127.0.0.1:2/classify",
    );
  });
});
