import { TpoLangSmithError } from "../errors.js";
import type { BatchItem } from "../eval/batch/input.js";
import { messagesFromTurns } from "../messages/conversation.js";
import type { TpoRunInput } from "../run/index.js";
import { escapeControl } from "../util/escape.js";
import { untilStopped, type LangSmithConnection } from "./client.js";

/** The input keys a query is looked for under, in this order, when none is named. */
export const QUERY_INPUT_KEYS = ["question", "query", "input", "messages"] as const;

/** One example of a dataset as a query: its id, and its input, or why it has none. */
export interface DatasetQuery {
  id: string;
  input: TpoRunInput | null;
  error?: string;
}

/** A query from one input value: a string is the query, an array of { role, content } a conversation. */
export function inputOf(value: unknown, key: string): TpoRunInput | { error: string } {
  if (typeof value === "string") return value.trim() ? { query: value } : { error: `"${key}" is empty` };
  if (Array.isArray(value)) {
    try {
      return { messages: messagesFromTurns(value) };
    } catch (error) {
      return { error: `"${key}": ${(error as Error).message}` };
    }
  }
  return { error: `"${key}" is neither a string nor an array of messages` };
}

/**
 * The examples of a LangSmith dataset as queries, keyed by their example ids: each from its input
 * `key`, or the first of QUERY_INPUT_KEYS that it has. An example without one is a query with an
 * error (so that it gets an error record); a dataset that does not exist is a TpoLangSmithError.
 */
export async function readDatasetQueries(
  connection: LangSmithConnection,
  name: string,
  key?: string,
): Promise<DatasetQuery[]> {
  const { client } = connection;
  return untilStopped(
    connection,
    (async () => {
      let datasetId: string | undefined;
      for await (const dataset of client.listDatasets({ datasetName: name })) datasetId ??= dataset.id;
      if (datasetId === undefined) throw new TpoLangSmithError(`has no dataset named ${name}`);
      const queries: DatasetQuery[] = [];
      for await (const example of client.listExamples({ datasetId })) {
        const inputs = (example.inputs ?? {}) as Record<string, unknown>;
        const found = key ?? QUERY_INPUT_KEYS.find((k) => inputs[k] !== undefined);
        if (found === undefined || inputs[found] === undefined) {
          const wanted = key ? `"${key}"` : QUERY_INPUT_KEYS.map((k) => `"${k}"`).join(", ");
          queries.push({
            id: example.id,
            input: null,
            error: `example ${example.id} has no input ${wanted} (name its key with --langsmith-input-key)`,
          });
          continue;
        }
        const input = inputOf(inputs[found], found);
        queries.push(
          "error" in input ? { id: example.id, input: null, error: input.error } : { id: example.id, input },
        );
      }
      return queries;
    })(),
  );
}

/** The queries of a LangSmith dataset as a batch's items, each keyed by its example id (`readDatasetQueries`). */
export async function readDatasetItems(
  connection: LangSmithConnection,
  name: string,
  key?: string,
): Promise<BatchItem[]> {
  const queries = await readDatasetQueries(connection, name, key);
  return queries.map((q, i) => ({
    id: q.id,
    source: `example ${i + 1}`,
    input: q.input,
    ...(q.error ? { error: escapeControl(q.error) } : {}),
  }));
}
