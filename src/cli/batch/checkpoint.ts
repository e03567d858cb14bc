import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type { TpoMode } from "../../state/settings.js";

/** LangGraph's SQLite checkpointer on a file: every finished node of every query is saved there. */
export function openCheckpointer(path: string): SqliteSaver {
  return SqliteSaver.fromConnString(path);
}

/** One thread per query and mode, so that a query resumes its own run and no other. */
export function threadIdOf(id: string, mode: TpoMode): string {
  return `tpo-batch:${mode}:${id}`;
}
