import { spawn, type ChildProcess } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { childEnv, cliCommand, ROOT } from "./cli.js";

/**
 * The client side of MCP's stdio transport over a `tpo mcp` child, which keeps every line the
 * child wrote to standard output: a test checks that each one is a JSON-RPC message.
 */
export class RecordingStdioTransport implements Transport {
  readonly stdoutLines: string[] = [];
  stderr = "";
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private buffer = "";
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => this.read(chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      child.on("close", (code) => {
        this.onclose?.();
        resolve(code);
      }),
    );
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    for (let index = this.buffer.indexOf("\n"); index >= 0; index = this.buffer.indexOf("\n")) {
      const line = this.buffer.slice(0, index);
      this.buffer = this.buffer.slice(index + 1);
      this.stdoutLines.push(line);
      try {
        this.onmessage?.(JSON.parse(line) as JSONRPCMessage);
      } catch (error) {
        this.onerror?.(error as Error);
      }
    }
  }

  /** Lines of standard output that are not JSON-RPC 2.0 messages (and a partial last line). */
  nonProtocolOutput(): string[] {
    const bad = this.stdoutLines.filter((line) => {
      try {
        return (JSON.parse(line) as { jsonrpc?: unknown }).jsonrpc !== "2.0";
      } catch {
        return true;
      }
    });
    return this.buffer ? [...bad, this.buffer] : bad;
  }

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    this.child.stdin!.end();
    await this.exited;
  }
}

export interface McpChild {
  client: Client;
  transport: RecordingStdioTransport;
  /** Closes the client (standard input), waits for the child's exit and returns its code. */
  close(): Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** Starts `tpo mcp <args>` and connects the SDK's client to it. */
export async function startMcpChild(
  args: string[] = [],
  env: Record<string, string | undefined> = {},
): Promise<McpChild> {
  const { command, args: argv } = cliCommand(["mcp", ...args]);
  const child = spawn(command, argv, { cwd: ROOT, env: childEnv(env), stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  child.on("close", () => children.delete(child));
  const transport = new RecordingStdioTransport(child);
  const client = new Client({ name: "tpo-test", version: "1.0.0" });
  await client.connect(transport);
  return {
    client,
    transport,
    close: async () => {
      await client.close();
      return transport.exited;
    },
  };
}

/** Kills every `tpo mcp` child still running; for afterEach. */
export function killMcpChildren(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
}
