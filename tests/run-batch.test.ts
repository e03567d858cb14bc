import { describe, expect, it } from "vitest";
import { runBatch } from "../src/batch/run-batch.js";
import { TpoWriteError } from "../src/errors.js";
import type { Job } from "../src/eval/batch/plan.js";
import type { BatchRecord } from "../src/eval/batch/record.js";
import type { ResultsWriter } from "../src/eval/batch/results-file.js";
import { loadModels } from "../src/from-env/models-from-env.js";
import { createTpoGraph } from "../src/graph/builder.js";
import { parseTpoContext } from "../src/settings/run-settings.js";

const settings = { backend: "sim" } as const;
const graph = createTpoGraph(loadModels(settings));
const context = parseTpoContext({ width: 2, depth: 1 });
const jobs: Job[] = ["q1", "q2", "q3", "q4"].map((id) => ({
  item: { id, source: `line ${id.slice(1)}`, input: { query: `What is ${id}?` } },
  mode: "tpo",
  context,
}));

function writer(failAfter = Infinity): ResultsWriter & { written: BatchRecord[] } {
  const written: BatchRecord[] = [];
  const append = (record: BatchRecord) => {
    if (written.length >= failAfter) throw new Error("ENOSPC: no space left on device");
    written.push(record);
  };
  return { path: "out.jsonl", written, append, close: () => {} } as unknown as ResultsWriter & {
    written: BatchRecord[];
  };
}

describe("runBatch", () => {
  it("runs every job and appends its record, handing each to onRecord", async () => {
    const out = writer();
    const seen: string[] = [];
    const outcome = await runBatch(jobs, {
      graph,
      settings,
      concurrency: 2,
      writer: out,
      checkpointed: false,
      resume: false,
      onRecord: (record) => seen.push(record.id),
    });
    expect(outcome.failed).toBe(0);
    expect(out.written.map((r) => r.id).sort()).toEqual(["q1", "q2", "q3", "q4"]);
    expect(seen.sort()).toEqual(["q1", "q2", "q3", "q4"]);
    expect(out.written[0]).toMatchObject({
      mode: "tpo",
      models: { backend: "sim" },
      best: expect.any(Object),
    });
  });

  it("stops with a TpoWriteError naming the file once a record cannot be written, and starts no more", async () => {
    const out = writer(1);
    const running = runBatch(jobs, {
      graph,
      settings,
      concurrency: 1,
      writer: out,
      checkpointed: false,
      resume: false,
    });
    await expect(running).rejects.toBeInstanceOf(TpoWriteError);
    await expect(running).rejects.toThrow("writing out.jsonl failed (ENOSPC: no space left on device)");
    expect(out.written.map((r) => r.id)).toEqual(["q1"]);
  });
});
