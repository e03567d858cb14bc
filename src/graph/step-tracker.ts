import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import type { ChainValues } from "@langchain/core/utils/types";

/** Remembers which graph node failed, so that a failed run can name its step. */
export class StepTracker extends BaseCallbackHandler {
  name = "tpo-step-tracker";
  private readonly nodeRuns = new Map<string, string>();
  failedNode: string | null = null;

  constructor() {
    super();
    // The node must be known by the time the error reaches the caller.
    this.awaitHandlers = true;
  }

  override handleChainStart(
    _chain: Serialized,
    _inputs: ChainValues,
    runId: string,
    _parentRunId?: string,
    tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    // A node's own run carries a "graph:step:N" tag; the runs nested in it carry the node's metadata too.
    const node = metadata?.langgraph_node;
    const isNodeRun = tags?.some((tag) => tag.startsWith("graph:step:")) ?? false;
    if (typeof node === "string" && isNodeRun) this.nodeRuns.set(runId, node);
  }

  override handleChainEnd(_outputs: ChainValues, runId: string): void {
    this.nodeRuns.delete(runId);
  }

  override handleChainError(_error: Error, runId: string): void {
    const node = this.nodeRuns.get(runId);
    if (node && this.failedNode === null) this.failedNode = node;
  }
}
