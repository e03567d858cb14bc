import { describe, expect, it } from "vitest";
import { judgeQueueOf } from "../src/cli/eval/judge-queue.js";
import { CliUsageError } from "../src/cli/errors.js";

describe("tpo eval's --queue flags", () => {
  it("are read as tpo batch --queue reads them, with its defaults", () => {
    expect(judgeQueueOf({})).toBeUndefined();
    expect(judgeQueueOf({ queue: true })).toEqual({
      queue: true,
      detach: false,
      policy: { maxAttempts: 3, retryDelaySeconds: 10 },
    });
    expect(
      judgeQueueOf({ queue: "postgres://db/q", detach: true, maxAttempts: "1", retryDelay: "2" }),
    ).toEqual({ queue: "postgres://db/q", detach: true, policy: { maxAttempts: 1, retryDelaySeconds: 2 } });
  });

  it("refuse the queue's flags without --queue, and bad numbers, in one line each", () => {
    expect(() => judgeQueueOf({ detach: true })).toThrow(
      new CliUsageError("--detach goes with --queue (it is about the job queue's jobs)."),
    );
    expect(() => judgeQueueOf({ maxAttempts: "2" })).toThrow(/^--max-attempts goes with --queue/);
    expect(() => judgeQueueOf({ queue: true, maxAttempts: "0" })).toThrow(CliUsageError);
    expect(() => judgeQueueOf({ queue: true, retryDelay: "soon" })).toThrow(/--retry-delay/);
  });

  it("refuse --cache with --queue: the workers judge, and keep verdicts in their own --cache", () => {
    expect(() => judgeQueueOf({ queue: true, cache: "verdicts.sqlite" })).toThrow(
      new CliUsageError(
        "--cache does not go with --queue: the workers judge; start tpo worker with --cache to keep and reuse their verdicts.",
      ),
    );
  });
});
