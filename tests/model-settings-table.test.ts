import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JUDGE_SETTINGS, MODEL_SETTINGS } from "../src/from-env/model-settings-table.js";
import { modelSettingsFromEnv } from "../src/from-env/models-from-env.js";
import { modelSettings } from "../src/cli/flags.js";
import { judgeSettings } from "../src/cli/compare/judge-settings.js";

const ROOT = join(import.meta.dirname, "..");
const doc = (name: string) => readFileSync(join(ROOT, "docs", name), "utf8");

describe("the table of model settings", () => {
  it("is what the environment is read by: each variable lands on its key, numbers as numbers", () => {
    const env: Record<string, string> = {};
    for (const { env: name, numeric } of MODEL_SETTINGS) env[name] = numeric ? "7" : ` value of ${name} `;
    const settings = modelSettingsFromEnv(env) as Record<string, unknown>;
    for (const { key, env: name, numeric } of MODEL_SETTINGS) {
      expect(settings[key]).toBe(numeric ? 7 : `value of ${name}`);
    }
  });

  it("is what the flags are read by, each over its variable", () => {
    const env: Record<string, string> = {};
    const flags: Record<string, string> = {};
    for (const { flag, env: name, numeric } of MODEL_SETTINGS) {
      env[name] = numeric ? "1" : "from the environment";
      const option = flag.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
      flags[option] = numeric ? "2" : "from the flag";
    }
    const settings = modelSettings(flags, env) as Record<string, unknown>;
    for (const { key, numeric } of MODEL_SETTINGS) expect(settings[key]).toBe(numeric ? 2 : "from the flag");
  });

  it("is docs/cli.md's table of model flags, row for row", () => {
    const text = doc("cli.md");
    const section = text.slice(text.indexOf("Model flags ("));
    const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| flag")));
    const rows = [...table.matchAll(/^\| `(--[a-z-]+) <([^>]+)>`[^|]*\| `([A-Z_]+)`/gm)].map((m) => [
      m[1],
      m[2].split("\\|").join("|"),
      m[3],
    ]);
    expect(rows).toEqual(MODEL_SETTINGS.map(({ flag, arg, env }) => [flag, arg, env]));
  });

  it("has every variable described in docs/models.md", () => {
    const text = doc("models.md");
    const missing = MODEL_SETTINGS.filter(({ env }) => !text.includes(`\`${env}\``)).map(({ env }) => env);
    expect(missing).toEqual([]);
  });
});

describe("the table of the judge's settings", () => {
  it("is what the judge's flags and variables are read by, each flag over its variable", () => {
    const env: Record<string, string> = { TPO_BACKEND: "openai" };
    for (const { env: name } of JUDGE_SETTINGS)
      env[name] = name === "TPO_JUDGE_MAX_TOKENS" ? "100" : `env ${name}`;
    expect(judgeSettings({}, undefined, env)).toMatchObject({
      model: "env TPO_JUDGE_MODEL",
      baseUrl: "env TPO_JUDGE_BASE_URL",
      apiKey: "env TPO_JUDGE_API_KEY",
      maxTokens: 100,
    });
    const flags = {
      judgeModel: "m",
      judgeBaseUrl: "http://judge/v1",
      judgeApiKey: "k",
      judgeMaxTokens: "200",
    };
    expect(judgeSettings(flags, undefined, env)).toMatchObject({
      model: "m",
      baseUrl: "http://judge/v1",
      apiKey: "k",
      maxTokens: 200,
    });
  });

  it("is docs/evaluation.md's table of judge flags, row for row", () => {
    const rows = [
      ...doc("evaluation.md").matchAll(/^\| `(--judge-[a-z-]+) <([^>]+)>` *\| `([A-Z_]+)`/gm),
    ].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual(JUDGE_SETTINGS.map(({ flag, arg, env }) => [flag, arg, env]));
  });
});
