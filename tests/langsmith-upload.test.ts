import { describe, expect, it } from "vitest";
import { ExperimentUpload } from "../src/langsmith/experiment-upload.js";

describe("ExperimentUpload", () => {
  it("names LANGSMITH_ENDPOINT without its password in the warning line", async () => {
    const warnings: string[] = [];
    // Node's fetch refuses a URL with credentials before it connects: the upload fails at once.
    const env = { LANGSMITH_ENDPOINT: "http://team:s3cret-pass@127.0.0.1:9/api", LANGSMITH_API_KEY: "lsv2_x" };
    const upload = await ExperimentUpload.start(
      "tpo batch",
      { dataset: "questions", experiment: "nightly" },
      [{ id: "q1", inputs: { query: "Why?" } }],
      ["tpo"],
      { env, tracing: false, warn: (line) => warnings.push(line) },
    );
    await upload.finish([], "results.jsonl");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("LangSmith (http://team:***@127.0.0.1:9/api)");
    expect(warnings[0]).not.toContain("s3cret");
  });
});
