/**
 * LangGraph stamps an error thrown inside a node with the id of the task that ran it
 * (`error.pregelTaskId`, set by its retry loop; undocumented), the same id as the task's chunks in
 * the "tasks" stream.
 *
 * Pinned by tests/compat-pregel-task-id.test.ts.
 */
export function failedTaskIdOf(error: unknown): string | undefined {
  const taskId = (error as { pregelTaskId?: unknown } | null)?.pregelTaskId;
  return typeof taskId === "string" ? taskId : undefined;
}
