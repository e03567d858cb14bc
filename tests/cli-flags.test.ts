import { describe, expect, it } from "vitest";
import { CliUsageError } from "../src/cli/errors.js";
import { Command } from "commander";
import {
  addSettingFlags,
  modelSettings,
  numberFlag,
  parseSettings,
  settingsInput,
} from "../src/cli/flags.js";
import { describeModels } from "../src/from-env/model-identities.js";
import { parseModes, settingsPerMode } from "../src/cli/batch/modes.js";

describe("run-setting flags", () => {
  it("turn into a context the graph's schema accepts", () => {
    const input = settingsInput({
      width: "3",
      depth: "4",
      mode: "revision",
      topP: "0.9",
      seed: "7",
      criticMaxTokens: "100",
    });
    expect(parseSettings(input)).toMatchObject({
      width: 3,
      depth: 4,
      mode: "revision",
      topP: 0.9,
      seed: 7,
      criticMaxTokens: 100,
    });
  });

  it.each([
    [{ width: "x" }, "--width must be a number"],
    [{ topP: "0" }, '--top-p: Invalid TPO setting "topP"'],
    [{ criticTemperature: "9" }, '--critic-temperature: Invalid TPO setting "criticTemperature"'],
    [{ maxTokens: "2.5" }, '--max-tokens: Invalid TPO setting "maxTokens"'],
    [{ sampling: "both" }, '--sampling: Invalid TPO setting "sampling"'],
    [{ patience: "-1" }, '--patience: Invalid TPO setting "patience"'],
    [{ budgetTokens: "-10" }, '--budget-tokens: Invalid TPO setting "budgetTokens"'],
    [{ budgetRequests: "2.5" }, '--budget-requests: Invalid TPO setting "budgetRequests"'],
    [{ targetScore: "high" }, "--target-score must be a number"],
  ])("name the flag of a bad value: %j", (options, message) => {
    expect(() => parseSettings(settingsInput(options))).toThrow(CliUsageError);
    expect(() => parseSettings(settingsInput(options))).toThrow(message);
  });
});

describe("numeric flags", () => {
  it.each([
    ["3", {}, 3],
    ["-0.5", {}, -0.5],
    ["0", { integer: true, min: 0 }, 0],
    ["4", { integer: true, min: 1 }, 4],
  ])("read %s under %j as %d", (value, rule, expected) => {
    expect(numberFlag("--n", value, rule)).toBe(expected);
  });

  it.each([
    ["", {}, '--n must be a number, got "".'],
    ["1e999", {}, '--n must be a number, got "1e999".'],
    ["1.5", { integer: true }, '--n must be a whole number, got "1.5".'],
    ["-1", { integer: true, min: 0 }, '--n must be a whole number of 0 or more, got "-1".'],
    ["0", { integer: true, min: 1 }, '--n must be a whole number of at least 1, got "0".'],
    ["-2", { min: 0 }, '--n must be a number of 0 or more, got "-2".'],
  ])("refuse %j under %j, naming the flag and what it takes", (value, rule, message) => {
    expect(() => numberFlag("--n", value, rule)).toThrow(CliUsageError);
    expect(() => numberFlag("--n", value, rule)).toThrow(message);
  });
});

describe("stopping-rule flags", () => {
  it("set the target, patience and budgets", () => {
    const input = settingsInput({
      targetScore: "0.8",
      patience: "2",
      budgetTokens: "5000",
      budgetRequests: "9",
    });
    expect(parseSettings(input)).toMatchObject({
      targetScore: 0.8,
      patience: 2,
      budgetTokens: 5000,
      budgetRequests: 9,
    });
  });
});

describe("--preset", () => {
  it("official: the reference run's settings, with explicit flags on top", () => {
    const settings = parseSettings(settingsInput({ preset: "official", depth: "3", criticTopP: "0.5" }));
    expect(settings).toEqual({
      ...parseSettings({}),
      mode: "tpo",
      width: 5,
      depth: 3,
      temperature: 0.7,
      topP: 0.95,
      maxTokens: 2048,
      seed: 7,
      seedScheme: "reference",
      stop: ["<|end_of_text|>", "<|eot_id|>", "<|im_end|>"],
      criticStop: ["<|end_of_text|>", "<|eot_id|>", "<|im_end|>"],
      criticTemperature: 0.7,
      criticTopP: 0.5,
      criticMaxTokens: 8192,
      systemPrompt: "You are a helpful, creative, and smart assistant.",
      untaggedRewrites: "drop",
    });
  });

  it("an unknown preset is a usage error that lists the presets", () => {
    expect(() => settingsInput({ preset: "paper" })).toThrow(CliUsageError);
    expect(() => settingsInput({ preset: "paper" })).toThrow(
      '--preset: Unknown preset "paper"; the presets are: official',
    );
  });

  it("takes the new critic and rewrite flags", () => {
    const settings = parseSettings(
      settingsInput({ criticTopP: "0.8", untaggedRewrites: "keep", systemPrompt: "Be brief." }),
    );
    expect(settings).toMatchObject({ criticTopP: 0.8, untaggedRewrites: "keep", systemPrompt: "Be brief." });
    expect(() => parseSettings(settingsInput({ untaggedRewrites: "maybe" }))).toThrow(
      '--untagged-rewrites: Invalid TPO setting "untaggedRewrites"',
    );
  });
});

describe("list and seed-scheme flags", () => {
  const parsed = (argv: string[]) => {
    const command = addSettingFlags(new Command()).exitOverride();
    command.parse(argv, { from: "user" });
    return parseSettings(settingsInput(command.opts()));
  };

  it("collect a repeated --stop or --critic-stop into a list, one string per flag", () => {
    const settings = parsed([
      "--stop",
      "</s>",
      "--stop",
      "a,b",
      "--critic-stop",
      "###",
      "--seed-scheme",
      "reference",
    ]);
    expect(settings).toMatchObject({ stop: ["</s>", "a,b"], criticStop: ["###"], seedScheme: "reference" });
    expect(parsed([]).stop).toBeUndefined();
  });

  it("win over the preset's list as a whole", () => {
    expect(parsed(["--preset", "official", "--stop", "END"]).stop).toEqual(["END"]);
  });

  it("name the flag of a bad value", () => {
    expect(() => parsed(["--seed-scheme", "random"])).toThrow(
      '--seed-scheme: Invalid TPO setting "seedScheme"',
    );
    expect(() => parsed(["--stop", ""])).toThrow('--stop: Invalid TPO setting "stop.0"');
  });
});

describe("model flags", () => {
  it("fill the environment's settings, and win over it", () => {
    const env = {
      TPO_BACKEND: "openai",
      TPO_MODEL: "from-env",
      OPENAI_API_KEY: "secret",
      TPO_REWARD_URL: "http://rm",
    };
    const settings = modelSettings(
      { model: "from-flag", baseUrl: "http://127.0.0.1:8000/v1", rewardKind: "tei" },
      env,
    );
    expect(settings).toMatchObject({
      backend: "openai",
      model: "from-flag",
      apiKey: "secret",
      baseUrl: "http://127.0.0.1:8000/v1",
      rewardUrl: "http://rm",
      rewardKind: "tei",
    });
    expect(describeModels(settings)).not.toHaveProperty("apiKey");
    expect(JSON.stringify(describeModels(settings))).not.toContain("secret");
  });
});

describe("--modes", () => {
  it("gives best-of-N the same candidate budget: width N·(D+1)", () => {
    const settings = settingsPerMode({ width: 5, depth: 2 }, parseModes("bon,revision,tpo"), true);
    expect(settings.get("bon")).toMatchObject({ mode: "bon", width: 15 });
    expect(settings.get("tpo")).toMatchObject({ mode: "tpo", width: 5, depth: 2 });
    expect(settings.get("revision")).toMatchObject({ mode: "revision", width: 5, depth: 2 });
  });

  it("rejects unknown modes and budgets beyond the largest width", () => {
    expect(() => parseModes("tpo,greedy")).toThrow("--modes");
    expect(() => settingsPerMode({ width: 20, depth: 5 }, ["tpo", "bon"], true)).toThrow(
      "--modes: bon at the same budget",
    );
  });
});
