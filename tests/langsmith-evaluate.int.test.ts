import { randomUUID } from "node:crypto";
import { Client } from "langsmith";
import { evaluate } from "langsmith/evaluation";
import { afterEach, describe, expect, it } from "vitest";
import { createSimWorld, createTpoGraph, parseTpoContext, tpoEvaluators, tpoTarget } from "../src/index.js";
import { LangSmithCapture } from "./helpers/langsmith-capture.js";

let capture: LangSmithCapture | undefined;

afterEach(async () => {
  await capture?.close();
  capture = undefined;
});

describe("evaluate(tpoTarget(graph), { data, evaluators }) with LangSmith's own evaluate()", () => {
  it("runs TPO on each example and records the evaluators' scores as the experiment's feedback", async () => {
    capture = new LangSmithCapture();
    const endpoint = await capture.start();
    const datasetId = randomUUID();
    capture.datasets.push({ id: datasetId, name: "tables" });
    const queries = ["How do I take care of a wooden table?", "How do I bake bread without yeast?"];
    const created_at = new Date().toISOString();
    capture.examples.push(
      ...queries.map((question) => ({
        id: randomUUID(),
        dataset_id: datasetId,
        inputs: { question },
        created_at,
        modified_at: created_at,
      })),
    );
    const client = new Client({ apiUrl: endpoint, apiKey: "test-key" });
    const graph = createTpoGraph(createSimWorld());
    const results = await evaluate(tpoTarget(graph, { context: parseTpoContext({ width: 2, depth: 1 }) }), {
      data: "tables",
      evaluators: [tpoEvaluators.reward, tpoEvaluators.length],
      client,
      experimentPrefix: "tpo",
    });
    await client.awaitPendingTraceBatches();
    const rows = results.results;
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const scores = Object.fromEntries(row.evaluationResults.results.map((r) => [r.key, r.score]));
      expect(scores).toEqual({
        reward: row.run.outputs!.reward,
        length: (row.run.outputs!.output as string).length,
      });
    }
    expect(capture.projects.map((p) => p.reference_dataset_id)).toEqual([datasetId]);
    // Each example's run is traced with the TPO iterations as its children, and carries the scores.
    const runs = capture.runs();
    for (const example of capture.examples) {
      const root = [...runs.values()].find((r) => r.reference_example_id === example.id && !r.parent_run_id)!;
      expect(root, example.id as string).toBeDefined();
      const descendants = [...runs.values()].filter((r) => r.trace_id === root.id).map((r) => r.name);
      expect(descendants).toEqual(expect.arrayContaining(["generate", "reward", "critique", "update"]));
      expect(
        capture.feedback
          .filter((f) => f.run_id === root.id)
          .map((f) => f.key)
          .sort(),
      ).toEqual(["length", "reward"]);
    }
  }, 60_000);
});
