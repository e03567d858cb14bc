import { PLAYGROUND_EVENT, type PlaygroundEvent } from "../../playground-data.js";

/** What a streamed answer carries besides the run's events: the answer and its cost. */
export interface StreamHandlers {
  event(event: PlaygroundEvent): void;
  content(text: string): void;
  /** The finish chunk's `tpo`: the answer's score and iteration, the run's usage. */
  finished(tpo: { score?: number; iteration?: number; usage?: Record<string, unknown> }): void;
  /** An error the server sent in the stream. */
  error(message: string): void;
}

function handle(name: string, data: string, on: StreamHandlers): void {
  if (data === "[DONE]") return;
  const value = JSON.parse(data) as Record<string, unknown>;
  if (name === PLAYGROUND_EVENT) {
    on.event(value as unknown as PlaygroundEvent);
    return;
  }
  const error = value.error as { message?: unknown } | undefined;
  if (error) {
    on.error(String(error.message ?? "the run failed"));
    return;
  }
  const choice = (value.choices as { delta?: { content?: unknown } }[] | undefined)?.[0];
  if (typeof choice?.delta?.content === "string" && choice.delta.content !== "")
    on.content(choice.delta.content);
  if (value.tpo) on.finished(value.tpo as Parameters<StreamHandlers["finished"]>[0]);
}

/** Reads a server-sent event stream to its end, handing each event to the handlers. */
export async function readEventStream(body: ReadableStream<Uint8Array>, on: StreamHandlers): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue; // a comment: progress lines and heartbeats
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") name = text;
        else if (field === "data") data.push(text);
      }
      if (data.length > 0) handle(name, data.join("\n"), on);
    }
  }
}
