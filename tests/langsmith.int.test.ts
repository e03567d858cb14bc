import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { LangChainTracer } from "@langchain/core/tracers/tracer_langchain";
import { Client } from "langsmith";
import { afterEach, describe, expect, it } from "vitest";
import { createSimWorld, createTpoGraph } from "../src/index.js";
import { childrenOf, LangSmithCapture, type CapturedRun } from "./helpers/langsmith-capture.js";

const API_KEY = "lsv2_pt_fake_h4_0123456789abcdef_do_not_send";
const NODES = ["generate", "reward", "select", "critique", "gradient", "update", "finalize"];
const query = "How do I take care of a wooden table?";

/** LangSmith's settings are read from the environment; each test sets its own and restores all. */
const isTracingVar = (key: string) => key.startsWith("LANGSMITH_") || key.startsWith("LANGCHAIN_");
const savedEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => isTracingVar(key)));

function setTracingEnv(vars: Record<string, string>) {
  for (const key of Object.keys(process.env)) if (isTracingVar(key)) delete process.env[key];
  Object.assign(process.env, vars);
}

let capture: LangSmithCapture | undefined;

afterEach(async () => {
  for (const key of Object.keys(process.env)) if (isTracingVar(key)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await capture?.close();
  capture = undefined;
});

const metadataOf = (run: CapturedRun) => run.extra?.metadata ?? {};

describe("LangSmith tracing", () => {
  it("traces every node of every iteration under the graph run, with the stage of every model call", async () => {
    capture = new LangSmithCapture("multipart");
    setTracingEnv({
      LANGSMITH_TRACING: "true",
      LANGSMITH_ENDPOINT: await capture.start(),
      LANGSMITH_API_KEY: API_KEY,
      LANGSMITH_PROJECT: "tpo-int-test",
    });
    const graph = createTpoGraph(createSimWorld());
    const result = await graph.invoke({ query }, { context: { width: 3, depth: 2 } });
    await awaitAllCallbacks();
    // No client given: the tracer uses LangChain's default client, the one the graph's runs went to.
    await (new LangChainTracer().client as Client).awaitPendingTraceBatches();

    const runs = capture.runs();
    const all = [...runs.values()];

    // Every LLM run carries the token counts that LangSmith's cost view reads.
    type TokenUsage = { promptTokens: number; completionTokens: number };
    type Generation = {
      message?: { kwargs?: { usage_metadata?: { input_token_details?: { cache_read?: number } } } };
    };
    const modelRuns = all.filter((r) => r.run_type === "llm");
    expect(modelRuns.length).toBeGreaterThan(0);
    const usages = modelRuns.map((run) => {
      const outputs = run.outputs as {
        llmOutput?: { tokenUsage?: TokenUsage };
        generations?: Generation[][];
      };
      // Every message of the run says how much of its prompt was read from the server's cache.
      for (const generation of outputs.generations?.flat() ?? [])
        expect(generation.message?.kwargs?.usage_metadata?.input_token_details?.cache_read).toBeTypeOf(
          "number",
        );
      expect(outputs.llmOutput?.tokenUsage, `LLM run ${run.name} has no token usage`).toBeDefined();
      return outputs.llmOutput!.tokenUsage!;
    });
    // Summed over the LLM runs, the counts are the run's own: LangSmith's cost view sees every token.
    expect(usages.reduce((s, u) => s + u.promptTokens, 0)).toBe(result.usage.promptTokens);
    expect(usages.reduce((s, u) => s + u.completionTokens, 0)).toBe(result.usage.completionTokens);

    // The client used the multipart endpoint and sent the key as a header only.
    expect(capture.requests.some((r) => r.path === "/runs/multipart")).toBe(true);
    expect(
      capture.requests.filter((r) => r.path.startsWith("/runs")).every((r) => r.apiKey === API_KEY),
    ).toBe(true);
    for (const body of capture.bodies) expect(body).not.toContain(API_KEY);

    // The tree: one root, the graph run "tpo"; links agree with the dotted order.
    const roots = all.filter((r) => !r.parent_run_id);
    expect(roots.map((r) => r.name)).toEqual(["tpo"]);
    const root = roots[0];
    for (const run of all) {
      expect(run.trace_id).toBe(root.id);
      if (!run.parent_run_id) continue;
      const parent = runs.get(run.parent_run_id);
      expect(parent, `parent of ${run.name}`).toBeDefined();
      expect(run.dotted_order.startsWith(`${parent!.dotted_order}.`)).toBe(true);
    }

    // Every node is a named run right under the graph run, once per pass.
    const nodeRuns = childrenOf(runs, root).filter((r) => NODES.includes(r.name));
    expect(nodeRuns.map((r) => r.name)).toEqual([
      "generate",
      "reward",
      "select",
      ...["critique", "gradient", "update", "reward", "select"],
      ...["critique", "gradient", "update", "reward", "select"],
      "finalize",
    ]);

    // Exactly two critique runs, one per iteration, each with its model call.
    const critiques = all.filter((r) => r.name === "critique");
    expect(critiques).toHaveLength(2);
    expect(
      critiques.map((c) =>
        childrenOf(runs, c)
          .filter((r) => r.run_type === "llm")
          .map((r) => metadataOf(r).tpo_iteration),
      ),
    ).toEqual([[1], [2]]);

    // Every model call sits under the node of its stage and carries the TPO metadata and tags.
    const llmRuns = all.filter((r) => r.run_type === "llm");
    expect(new Set(llmRuns.map((r) => metadataOf(r).tpo_stage))).toEqual(
      new Set(["generate", "critique", "gradient", "update"]),
    );
    for (const run of llmRuns) {
      const meta = metadataOf(run);
      const parent = runs.get(run.parent_run_id!)!;
      expect(parent.name).toBe(meta.tpo_stage);
      expect(parent.parent_run_id).toBe(root.id);
      expect(meta).toMatchObject({ tpo_mode: "tpo", tpo_width: 3, tpo_depth: 2 });
      expect(run.tags).toEqual(
        expect.arrayContaining([`tpo:iteration:${meta.tpo_iteration}`, `tpo:${meta.tpo_stage}`]),
      );
    }
    expect(
      llmRuns.filter((r) => metadataOf(r).tpo_stage === "update").map((r) => metadataOf(r).tpo_iteration),
    ).toEqual([1, 2]);

    // Reward-model calls are runs under the reward node whose outputs are the scores.
    const rewardCalls = all.filter((r) => r.name === "reward_model");
    expect(rewardCalls).toHaveLength(3);
    for (const [iteration, call] of rewardCalls.entries()) {
      expect(runs.get(call.parent_run_id!)!.name).toBe("reward");
      expect(metadataOf(call)).toMatchObject({ tpo_stage: "reward", tpo_iteration: iteration });
      expect(call.tags).toContain(`tpo:iteration:${iteration}`);
      const scores = result.pool.filter((c) => c.iteration === iteration).map((c) => c.score);
      expect(call.outputs?.output).toEqual(scores);
      expect((call.inputs?.input as unknown[]).length).toBe(scores.length);
    }

    // The graph run's output holds the best response, its score, and the history.
    expect(root.outputs).toMatchObject({ best: { score: result.best!.score, text: result.best!.text } });
    expect((root.outputs?.history as unknown[]).length).toBe(3);
    expect(root.inputs).toMatchObject({ query });
  });

  it("hides inputs with LANGSMITH_HIDE_INPUTS=true", async () => {
    capture = new LangSmithCapture("batch");
    setTracingEnv({
      LANGSMITH_ENDPOINT: await capture.start(),
      LANGSMITH_API_KEY: API_KEY,
      LANGSMITH_HIDE_INPUTS: "true",
    });
    // A client made now reads the variable; LangChain's default client was made by the test above.
    const client = new Client();
    const graph = createTpoGraph(createSimWorld());
    const result = await graph.invoke(
      { query },
      { context: { width: 2, depth: 1 }, callbacks: [new LangChainTracer({ client })] },
    );
    await awaitAllCallbacks();
    await client.awaitPendingTraceBatches();

    const all = [...capture.runs().values()];
    expect(capture.requests.some((r) => r.path === "/runs/batch")).toBe(true);
    expect(all.length).toBeGreaterThan(10);
    // Every run, model calls included, has empty inputs; the prompts never left the process.
    for (const run of all) expect(run.inputs ?? {}).toEqual({});
    expect(all.filter((r) => r.run_type === "llm").length).toBeGreaterThan(0);
    for (const body of capture.bodies) {
      expect(body).not.toContain("<query>");
      expect(body).not.toContain(API_KEY);
    }
    // Outputs are still there.
    const root = all.find((r) => !r.parent_run_id)!;
    expect(root.outputs).toMatchObject({ best: { score: result.best!.score } });
  });
});
