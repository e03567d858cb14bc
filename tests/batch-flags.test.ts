import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { batchAction, type BatchOptions } from "../src/cli/commands/batch.js";
import { CliUsageError } from "../src/cli/errors.js";
import type { CliIo } from "../src/cli/io.js";

/**
 * `tpo batch` and `tpo batch --queue` read their flags in one place: a flag that only one of the
 * two runners uses is refused on the other in one line (exit 2), before any work.
 */
const dir = mkdtempSync(join(tmpdir(), "tpo-batch-flags-"));
const input = join(dir, "prompts.json");
// An empty data set: a flag that got through would end in "nothing to run", not in a refusal.
writeFileSync(input, "[]");
const out = join(dir, "out.jsonl");
const QUEUE = "postgres://tpo@127.0.0.1:5432/tpo";

/** Streams that drop what the command says; the refusals are what these tests read. */
const quietIo: CliIo = { stdout: { write: () => true }, stderr: { write: () => true }, env: {} };

function options(extra: Partial<BatchOptions>): BatchOptions {
  return { out, concurrency: "4", format: "jsonl", quiet: true, ...extra };
}

async function refusal(extra: Partial<BatchOptions>): Promise<string> {
  const error = await batchAction(input, options(extra), quietIo).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, JSON.stringify(extra)).toBeInstanceOf(CliUsageError);
  const message = (error as Error).message;
  expect(message.split("\n"), message).toHaveLength(1);
  return message;
}

describe("tpo batch's flags, with and without --queue", () => {
  it.each([
    [{ shard: "0/2" }, "--shard does not go with --queue"],
    [{ resume: true }, "--resume does not go with --queue"],
    [{ checkpoint: join(dir, "c.sqlite") }, "--checkpoint does not go with --queue"],
    [{ concurrency: "8", concurrencyGiven: true }, "--concurrency does not go with --queue"],
    [{ keepCheckpoints: true }, "--keep-checkpoints does not go with --queue"],
    [{ baseUrl: "http://127.0.0.1:9/v1" }, "--base-url does not go with --queue"],
  ])("refuses a flag of the plain batch with --queue: %j", async (extra, says) => {
    expect(await refusal({ queue: QUEUE, ...extra })).toContain(says);
  });

  it.each([
    [{ maxAttempts: "2" }, "--max-attempts goes with --queue"],
    [{ retryDelay: "5" }, "--retry-delay goes with --queue"],
    [{ dataset: "d" }, "--dataset goes with --queue"],
    [{ detach: true }, "--detach goes with --queue"],
  ])("refuses a flag of the queue without --queue: %j", async (extra, says) => {
    expect(await refusal(extra)).toContain(says);
  });

  it("refuses --batch-max-cost with --detach: the waiting batch meters the budget", async () => {
    expect(await refusal({ queue: QUEUE, detach: true, batchMaxCost: "1" })).toContain(
      "--batch-max-cost with --detach does not go with --queue",
    );
  });

  it("refuses the flags that a plain batch would ignore: --keep-checkpoints without --checkpoint, --allow-mixed without --resume", async () => {
    expect(await refusal({ keepCheckpoints: true })).toContain("--keep-checkpoints goes with --checkpoint");
    expect(await refusal({ allowMixed: true })).toContain("--allow-mixed goes with --resume");
    expect(await refusal({ retryFailed: true })).toContain("--retry-failed needs --resume");
  });

  it("checks the flags both share the same way on both", async () => {
    for (const queue of [undefined, QUEUE]) {
      expect(await refusal({ queue, format: "csv" })).toContain('--format must be "jsonl" or "official"');
      expect(await refusal({ queue, limit: "0" })).toContain("--limit");
      expect(await refusal({ queue, modes: "tpo,nope" })).toContain("nope");
      expect(await refusal({ queue, batchMaxCost: "-1" })).toContain("--batch-max-cost");
    }
  });

  it("accepts with --queue what the queue does itself: --retry-failed and --allow-mixed without --resume", async () => {
    // An empty data set ends before the queue is opened: nothing to enqueue.
    for (const extra of [
      { retryFailed: true },
      { allowMixed: true },
      { overwrite: true },
      { batchMaxCost: "0.5" },
    ]) {
      await expect(batchAction(input, options({ queue: QUEUE, ...extra }), quietIo)).resolves.toBeUndefined();
    }
  });
});
