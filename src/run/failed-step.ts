import { failedTaskIdOf } from "../compat/pregel-task-id.js";

/** A chunk of LangGraph's "tasks" stream: a node's task starting, or its result (or error). */
export interface TaskChunk {
  id: string;
  name: string;
  error?: unknown;
  result?: unknown;
}

/** Whether a tasks-stream chunk reports a task's end (its result or error) rather than its start. */
export function isTaskEnd(chunk: TaskChunk): boolean {
  return "result" in chunk || "error" in chunk;
}

/**
 * Remembers which graph node failed, so that a failed run can name its step. It reads the graph's
 * "tasks" stream rather than listening as a LangChain callback: a callback handler makes every
 * runnable in the run (each node, model call and channel write) build and await callback runs.
 */
export class FailedStepTracker {
  private readonly running = new Map<string, string>();
  private failed: string | null = null;

  observe(chunk: TaskChunk): void {
    if (!isTaskEnd(chunk)) {
      this.running.set(chunk.id, chunk.name);
      return;
    }
    this.running.delete(chunk.id);
    if (chunk.error && this.failed === null) this.failed = chunk.name;
  }

  /** The node whose task failed: the one the error names (LangGraph tags it with the task id), else the first reported. */
  failedNode(error: unknown): string | null {
    const taskId = failedTaskIdOf(error);
    if (taskId !== undefined && this.running.has(taskId)) return this.running.get(taskId)!;
    return this.failed ?? (this.running.size === 1 ? [...this.running.values()][0] : null);
  }
}
