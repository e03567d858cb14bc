/**
 * The callback handlers through which a LangGraph graph streams its "messages" and "tools" modes,
 * by their `name` (LangGraph's own `graph/message.js` finds them the same way; the names are not
 * documented). A graph that calls TPO inside a node would show the runs inside TPO (the finalize
 * node's message, say) as its own through them, so those runs do not get them.
 *
 * Pinned by tests/compat-caller-stream-handlers.test.ts.
 */
export const CALLER_STREAM_HANDLERS: ReadonlySet<string> = new Set([
  "StreamMessagesHandler",
  "StreamProtocolMessagesHandler",
  "StreamToolsHandler",
]);
