import { describe, expect, it } from "vitest";
import { TpoConfigError, TpoFileError, TpoInputError } from "../src/errors.js";
import { CliRunError, CliUsageError } from "../src/cli/errors.js";
import { TpoStepError } from "../src/errors.js";
import { exitCodeOf } from "../src/cli/exit-on-error.js";
import { describeFailure } from "../src/cli/failure.js";
import { endpointOf } from "../src/batch/run-failure.js";
import { iterationLine } from "../src/cli/iteration-line.js";
import { emptyUsage } from "../src/state/state.js";

const http = { baseUrl: "http://127.0.0.1:8000/v1", model: "policy-7b", criticModel: "critic-70b" };

describe("a failed run", () => {
  it("names the step and the endpoint it was talking to", () => {
    expect(endpointOf("generate", http)).toBe("policy policy-7b at http://127.0.0.1:8000/v1");
    expect(endpointOf("gradient", http)).toBe("critic critic-70b at http://127.0.0.1:8000/v1");
    expect(endpointOf("reward", { ...http, rewardUrl: "http://127.0.0.1:8080", rewardKind: "tei" })).toBe(
      "reward model (tei) at http://127.0.0.1:8080",
    );
    const failure = describeFailure(
      new TpoStepError("update", new Error("Connection refused\nstack")),
      null,
      http,
    );
    expect(failure).toBeInstanceOf(CliRunError);
    expect(failure.message).toBe(
      "the update step failed (critic critic-70b at http://127.0.0.1:8000/v1): Connection refused",
    );
    expect(exitCodeOf(failure)).toBe(1);
  });

  it("is bad usage when the input or the configuration is at fault", () => {
    const input = describeFailure(new TpoStepError("generate", new TpoInputError("No query")), null, http);
    expect(input).toBeInstanceOf(CliUsageError);
    expect(exitCodeOf(input)).toBe(2);
    const config = describeFailure(new TpoConfigError("No model is configured."), null, http);
    expect(exitCodeOf(config)).toBe(2);
  });

  it("is bad usage when a file the library reads is unusable (no records, a folder, a line too long)", () => {
    expect(exitCodeOf(new TpoFileError("<results>: r.jsonl has no records."))).toBe(2);
  });
});

describe("the progress line of tpo run", () => {
  it("shows the new candidates' scores and the best so far", () => {
    const usage = emptyUsage();
    const line = iterationLine(
      {
        iteration: 1,
        chosen: null,
        rejected: null,
        critique: null,
        gradient: null,
        candidates: 5,
        scores: { min: 1, mean: 2.5, max: 4 },
        bestSoFar: 6,
        untagged: 0,
        failures: 0,
        sampling: "n",
        elapsedMs: 1,
        usage,
      },
      3,
    );
    expect(line).toBe("tpo: update 1/3   new 2.50 (1.00–4.00, 5 candidates)  best so far 6.00");
  });
});
