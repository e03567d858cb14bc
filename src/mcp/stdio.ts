import { Transform, type TransformCallback } from "node:stream";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { McpSdk } from "./sdk.js";

export interface StdioHandle {
  /** Settles when the connection closes: the client closed standard input, or `close` was called. */
  closed: Promise<void>;
  /** Closes the connection; calls in flight are aborted (their model requests too). */
  close(): Promise<void>;
}

/**
 * The longest message read, its newline included: the SDK's stdio transport holds at most this
 * much (STDIO_DEFAULT_MAX_BUFFER_SIZE) and closes the connection, without a word, past it.
 */
export const MAX_STDIO_MESSAGE_BYTES = 10 * 2 ** 20;

/** How much of a message too long is kept to find its id. */
const HEAD_BYTES = 4096;

/**
 * The id of a JSON-RPC message from its first bytes: a number or string member `"id"` before any
 * nested object or array opens (where a member named "id" could be another's); null otherwise, as
 * JSON-RPC answers a request whose id cannot be read.
 */
export function idOfMessageHead(head: string): string | number | null {
  const open = head.indexOf("{");
  if (open < 0) return null;
  const nested = head.slice(open + 1).search(/[{[]/);
  const topLevel = nested < 0 ? head.slice(open + 1) : head.slice(open + 1, open + 1 + nested);
  const match = /"id"\s*:\s*(-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*")/.exec(topLevel);
  if (!match) return null;
  try {
    return JSON.parse(match[1]) as string | number;
  } catch {
    return null;
  }
}

/**
 * Passes standard input on a line (one message) at a time, and drops a line longer than `maxBytes`
 * as it goes, calling `onTooLong` once with the start of it: memory holds one message at most.
 */
class MessageLines extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Inside a message too long: its bytes are dropped up to its newline. */
  private dropping = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onTooLong: (head: string) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline + 1;
      const piece = chunk.subarray(start, end);
      start = end;
      if (!this.dropping) {
        this.pending.push(piece);
        this.pendingBytes += piece.length;
        if (this.pendingBytes > this.maxBytes) {
          const head = Buffer.concat(this.pending).subarray(0, HEAD_BYTES).toString("utf8");
          this.pending = [];
          this.pendingBytes = 0;
          this.dropping = true;
          this.onTooLong(head);
        }
      }
      if (newline < 0) continue;
      if (this.dropping) {
        this.dropping = false;
        continue;
      }
      this.push(Buffer.concat(this.pending));
      this.pending = [];
      this.pendingBytes = 0;
    }
    done();
  }
}

/**
 * Serves an MCP server over this process's standard input and output. Standard output then
 * carries protocol messages only: anything else written there would break the client. A message
 * over MAX_STDIO_MESSAGE_BYTES is answered with a JSON-RPC error (Invalid Request, its id when it
 * can be read) and `onTooLong` is called; the connection goes on.
 */
export async function serveOnStdio(
  sdk: McpSdk,
  server: Server,
  {
    stdin = process.stdin,
    stdout = process.stdout,
    onTooLong,
  }: {
    stdin?: NodeJS.ReadableStream;
    stdout?: NodeJS.WritableStream;
    onTooLong?: (id: string | number | null) => void;
  } = {},
): Promise<StdioHandle> {
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  server.onclose = () => resolveClosed();
  const limit = `${MAX_STDIO_MESSAGE_BYTES / 2 ** 20} MiB`;
  const lines = new MessageLines(MAX_STDIO_MESSAGE_BYTES, (head) => {
    const id = idOfMessageHead(head);
    const error = { code: -32600, message: `Request too large: over ${limit}; it was not read.` };
    stdout.write(`${JSON.stringify({ jsonrpc: "2.0", id, error })}\n`);
    onTooLong?.(id);
  });
  stdin.pipe(lines);
  const transport = new sdk.StdioServerTransport(
    lines as unknown as typeof process.stdin,
    stdout as typeof process.stdout,
  );
  await server.connect(transport);
  // The SDK's transport does not notice the end of its input: a host that closes the pipe is done.
  const close = () => server.close();
  stdin.once("end", () => void close());
  return { closed, close };
}
