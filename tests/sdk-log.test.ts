import { afterEach, describe, expect, it, vi } from "vitest";
import { stderrSdkLogger } from "../src/models/chat/sdk-log.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function captured(log: () => void): { stderr: string; stdout: string } {
  let stderr = "";
  let stdout = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  log();
  vi.restoreAllMocks();
  return { stderr, stdout };
}

describe("the OpenAI SDK's logger", () => {
  it("writes every level to standard error, never standard output", () => {
    const logger = stderrSdkLogger();
    const { stderr, stdout } = captured(() => {
      logger.debug("[log_1] sending request", { method: "post" });
      logger.info("info line");
      logger.warn("warn line");
      logger.error("error line");
    });
    expect(stdout).toBe("");
    expect(stderr.split("\n").filter(Boolean)).toEqual([
      "[log_1] sending request { method: 'post' }",
      "info line",
      "warn line",
      "error line",
    ]);
  });

  it("hides credential fields at any depth, the configured keys anywhere, sk- keys and URL credentials", () => {
    const logger = stderrSdkLogger(["vllm-token-abc123", undefined, () => "a function"]);
    const { stderr } = captured(() =>
      logger.debug("[log_2] sending request", {
        url: "http://user:pw-secret@gpu1:8000/v1/chat/completions",
        options: {
          apiKey: "sk-proj-verysecret0123",
          body: { max_tokens: 64, prompt_cache_key: "tpo-1" },
          headers: new Headers({ Authorization: "Bearer other-secret", "x-session-id": "tpo-1" }),
          nested: [{ access_token: "tok-secret" }],
        },
        note: "the key vllm-token-abc123 and sk-free-text-secret999",
      }),
    );
    for (const secret of [
      "verysecret",
      "other-secret",
      "tok-secret",
      "pw-secret",
      "vllm-token-abc123",
      "text-secret",
    ]) {
      expect(stderr).not.toContain(secret);
    }
    expect(stderr).toContain("max_tokens: 64");
    expect(stderr).toContain("prompt_cache_key: 'tpo-1'");
    expect(stderr).toContain("http://user:***@gpu1:8000");
    expect(stderr).toContain("apiKey: '***'");
  });
});
