import type { TpoGraph } from "../graph/builder.js";
import type { TpoStateType } from "../state/state.js";

/** Where a resumed run picked up: the next node, and the model requests made before. */
export interface ResumePoint {
  next: string;
  modelRequests: number;
}

export interface StartingPoint {
  /** The thread's answer, when its run had already finished. */
  done: TpoStateType | null;
  resumedFrom: ResumePoint | null;
}

/**
 * Where a query's thread starts: afresh (its checkpoints deleted unless resuming), from its last
 * checkpoint, or not at all when its run had finished.
 */
export async function startingPoint(
  graph: TpoGraph,
  threadId: string,
  resume: boolean,
): Promise<StartingPoint> {
  const snapshot = await graph.getState({ configurable: { thread_id: threadId } });
  const values = snapshot.values as Partial<TpoStateType>;
  if (snapshot.createdAt === undefined) return { done: null, resumedFrom: null };
  if (!resume) {
    if (typeof graph.checkpointer === "object") await graph.checkpointer.deleteThread(threadId);
    return { done: null, resumedFrom: null };
  }
  const modelRequests = values.usage?.modelRequests ?? 0;
  if (snapshot.next.length === 0 && values.best) {
    return { done: values as TpoStateType, resumedFrom: { next: "__end__", modelRequests } };
  }
  return { done: null, resumedFrom: { next: snapshot.next.join(",") || "__start__", modelRequests } };
}
