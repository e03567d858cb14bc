import { messagesFromTurns } from "../messages/conversation.js";
import type { TpoRunInput as QueryInput } from "../run/index.js";
import { CliUsageError } from "./errors.js";
import { readTextInput } from "./read-input.js";

/** The query of `tpo run`: the argument, standard input for "-", or a conversation file. */
export function readQueryInput(query: string | undefined, messagesFile: string | undefined): QueryInput {
  if (query !== undefined && messagesFile !== undefined) {
    throw new CliUsageError("Give either a query or --messages, not both.");
  }
  if (messagesFile !== undefined) {
    const text = readTextInput(messagesFile, "--messages");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CliUsageError(`--messages: ${messagesFile} is not JSON: ${(error as Error).message}`);
    }
    const turns = Array.isArray(json) ? json : (json as { messages?: unknown })?.messages;
    try {
      return { messages: messagesFromTurns(turns) };
    } catch (error) {
      throw new CliUsageError(`--messages: ${(error as Error).message}.`);
    }
  }
  if (query === undefined) {
    throw new CliUsageError(
      'No query: pass tpo run "<query>", "-" to read it from standard input, or --messages file.json.',
    );
  }
  const text = query === "-" ? readTextInput("-", "standard input") : query;
  if (!text.trim()) throw new CliUsageError("The query is empty.");
  return { query: text.trim() };
}
