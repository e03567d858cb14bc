/**
 * Where lists of servers come from (issue 21): the environment and the flags, the critic's own
 * servers and key, the judge's list, the affinity switch. No server: requests go to a fetch of
 * the test's own that refuses every connection.
 */
import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { judgeChatModel, judgeSettings } from "../src/cli/compare/judge-settings.js";
import { modelSettings } from "../src/cli/flags.js";
import { TpoConfigError } from "../src/errors.js";
import { loadModels } from "../src/from-env/models-from-env.js";
import { createOpenAIChatModel, TpoChatOpenAI } from "../src/models/chat/openai.js";
import { parseUrlList } from "../src/models/pool/url-list.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";

const refused: typeof fetch = async () => {
  throw new TypeError("fetch failed", {
    cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
  });
};

describe("lists of servers in the settings", () => {
  it("reads the pool settings from the environment, flags winning", () => {
    const env = {
      OPENAI_BASE_URL: "http://a:8000/v1,http://b:8000/v1",
      TPO_CRITIC_BASE_URL: "http://c:8000/v1",
      TPO_CRITIC_API_KEY: "critic-key",
      TPO_AFFINITY: "off",
      TPO_COOL_OFF_MS: "2500",
    };
    expect(modelSettings({}, env)).toMatchObject({
      baseUrl: "http://a:8000/v1,http://b:8000/v1",
      criticBaseUrl: "http://c:8000/v1",
      criticApiKey: "critic-key",
      affinity: "off",
      coolOffMs: 2500,
    });
    expect(
      modelSettings({ affinity: "on", coolOffMs: "10", criticBaseUrl: "http://d/v1" }, env),
    ).toMatchObject({
      affinity: "on",
      coolOffMs: 10,
      criticBaseUrl: "http://d/v1",
    });
  });

  it("gives the critic its own servers and key; the policy's key stays with the policy's servers", () => {
    const base = { model: "m", baseUrl: "http://a:8000/v1,http://b:8000/v1", apiKey: "policy-key" };
    const same = loadModels({ ...base, criticModel: "c" });
    expect((same.critic as TpoChatOpenAI).apiKey).toBe("policy-key");
    expect((same.critic as TpoChatOpenAI).endpoint).toBe((same.policy as TpoChatOpenAI).endpoint);

    const own = loadModels({ ...base, criticBaseUrl: "http://c:8000/v1,http://d:8000/v1" });
    const critic = own.critic as TpoChatOpenAI;
    expect(critic).not.toBe(own.policy);
    expect(critic.model).toBe("m");
    expect(critic.endpoint).toBe("http://c:8000/v1/chat/completions, http://d:8000/v1/chat/completions");
    expect(critic.apiKey).not.toBe("policy-key");
    expect(
      (loadModels({ ...base, criticBaseUrl: "http://c/v1", criticApiKey: "k2" }).critic as TpoChatOpenAI)
        .apiKey,
    ).toBe("k2");
  });

  it("refuses an affinity other than on or off, naming the setting", () => {
    expect(() => loadModels({ model: "m", baseUrl: "http://a/v1", affinity: "sticky" })).toThrow(
      TpoConfigError,
    );
    expect(() => loadModels({ model: "m", baseUrl: "http://a/v1", affinity: "sticky" })).toThrow(
      /TPO_AFFINITY \(--affinity\) must be "on" or "off", got "sticky"/,
    );
  });

  it("takes a list for the judge, and names the judge when all its servers are down", async () => {
    const settings = judgeSettings(
      { judgeModel: "j", judgeBaseUrl: "http://j1.test/v1,http://j2.test/v1" },
      undefined,
      {},
    );
    const judge = judgeChatModel(settings) as TpoChatOpenAI;
    expect(judge.endpoint).toBe("http://j1.test/v1/chat/completions, http://j2.test/v1/chat/completions");
    // The same client with a fetch that refuses every connection, no retries.
    const down = createOpenAIChatModel({ apiKey: "k", maxRetries: 0 }, "j", {
      configuration: { baseURL: settings.backend === "openai" ? settings.baseUrl : "", fetch: refused },
      pool: { role: "judge", setting: "TPO_JUDGE_BASE_URL (--judge-base-url)" },
    });
    const error = (await down.invoke([new HumanMessage("A or B?")]).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /^All 2 judge servers are down: http:\/\/j1\.test\/v1\/chat\/completions \(connection failed/,
    );
    expect(error.message).toContain("TPO_JUDGE_BASE_URL (--judge-base-url)");
  });
});

describe("one parser of server lists, for every role", () => {
  const policy = (baseUrl: string) =>
    new TpoChatOpenAI({ model: "m", apiKey: "k", configuration: { baseURL: baseUrl, fetch: refused } });
  const reward = (url: string) => createHttpRewardModel({ url, kind: "tei" });
  const both: [string, (list: string) => unknown][] = [
    ["policy", policy],
    ["reward", reward],
  ];

  it("splits after parsing: a comma in a URL's password stays in it, and no error shows the secret", () => {
    expect(parseUrlList("http://tok,SECRET@a:8000/v1, http://b:8000/v1", "S")).toEqual([
      "http://tok,SECRET@a:8000/v1",
      "http://b:8000/v1",
    ]);
    for (const text of [
      "http://tok,SECRET@a:8000/v1,ftp://b",
      "http://tok,SECRET@a:8000/v1,http://b:8000/v1,http://tok,SECRET@a:8000/v1/",
      "http://a:8000/v1,tok:SECRET@b:8000/v1",
      "http://tok,SECRET@a:80:80/v1",
      "http://a:8000/v1,http://u:SECRET@b:8000/v1,c:8000",
    ]) {
      for (const [role, make] of both) {
        let message = "";
        try {
          make(text);
        } catch (error) {
          expect(error, `${role}: ${text}`).toBeInstanceOf(TpoConfigError);
          message = (error as Error).message;
        }
        expect(message, `${role}: ${text}`).not.toBe("");
        expect(message).not.toContain("SECRET");
      }
    }
  });

  it("refuses one server listed twice however it is written, for the policy and the reward model alike", () => {
    const same = [
      "http://127.0.0.1:8000/v1,http://localhost:8000/v1",
      "http://a:8000/v1,http://a:8000/v1/",
      "http://a:80/v1,http://A/v1",
      "https://a/v1, https://a:443/v1",
      "http://[::1]:8000/v1,http://localhost:8000/v1//",
      "http://user:one@a:8000/v1,http://user:two@a:8000/v1",
    ];
    for (const text of same) {
      for (const [role, make] of both) {
        expect(() => make(text), `${role}: ${text}`).toThrow(
          /lists one server twice: .*give each server once\./,
        );
      }
    }
    expect(() => policy("http://user:one@a:8000/v1,http://user:two@a:8000/v1")).toThrow(
      "lists one server twice: http://user:***@a:8000/v1 and http://user:***@a:8000/v1",
    );
    for (const [, make] of both) {
      expect(() =>
        make("http://a:8000/v1,http://a:8001/v1,http://b:8000/v1,https://a:8000/v1"),
      ).not.toThrow();
    }
  });

  it("refuses a comma after a URL's host (a server without its scheme), naming the entry and the setting", () => {
    expect(() => parseUrlList("http://gpu1:8000/v1,gpu2:8000/v1", "OPENAI_BASE_URL (--base-url)")).toThrow(
      "OPENAI_BASE_URL (--base-url): its first URL has a comma after its host; separate servers with commas, " +
        "each URL starting with http:// or https://.",
    );
    expect(() => parseUrlList("http://a/v1,ftp://b", "S")).toThrow(
      'S: "ftp://b" must start with http:// or https://.',
    );
    expect(() => parseUrlList(" , ", "S")).toThrow("S is empty");
    expect(parseUrlList(" http://a/v1, ", "S")).toEqual(["http://a/v1"]);
  });
});
