import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { McpSdk } from "./sdk.js";

export interface StdioHandle {
  /** Settles when the connection closes: the client closed standard input, or `close` was called. */
  closed: Promise<void>;
  /** Closes the connection; calls in flight are aborted (their model requests too). */
  close(): Promise<void>;
}

/**
 * Serves an MCP server over this process's standard input and output. Standard output then
 * carries protocol messages only: anything else written there would break the client.
 */
export async function serveOnStdio(
  sdk: McpSdk,
  server: Server,
  stdin: NodeJS.ReadableStream = process.stdin,
  stdout: NodeJS.WritableStream = process.stdout,
): Promise<StdioHandle> {
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  server.onclose = () => resolveClosed();
  const transport = new sdk.StdioServerTransport(
    stdin as typeof process.stdin,
    stdout as typeof process.stdout,
  );
  await server.connect(transport);
  // The SDK's transport does not notice the end of its input: a host that closes the pipe is done.
  const close = () => server.close();
  stdin.once("end", () => void close());
  return { closed, close };
}
