import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { MultiServerMCPClient } from "@langchain/mcp-adapters";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../src/sim/server.js";
import { childEnv, cliCommand, ROOT, waitUntil } from "./helpers/cli.js";
import { simServerEnv } from "./helpers/sim-http.js";

const QUERY = "How do I take care of a wooden table?";
const TOKEN = "mcp-http-token-42";

let sim: SimServer;
const children: ChildProcess[] = [];
const clients: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  sim = await startSimServer();
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => {});
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

afterAll(async () => {
  await sim.close();
});

describe("tpo mcp from @langchain/mcp-adapters", () => {
  it("loads tpo_optimize as a LangChain tool and calls it", async () => {
    const { command, args } = cliCommand(["mcp"]);
    const client = new MultiServerMCPClient({
      mcpServers: {
        tpo: {
          transport: "stdio",
          command,
          args,
          cwd: ROOT,
          env: childEnv(simServerEnv(sim)) as Record<string, string>,
          stderr: "ignore",
        },
      },
    });
    clients.push(client);
    const tools = await client.getTools();
    const tool = tools.find((t) => t.name.endsWith("tpo_optimize"));
    expect(tool, tools.map((t) => t.name).join(", ")).toBeDefined();
    const answer: unknown = await tool!.invoke({ query: QUERY, width: 2, depth: 1 });
    const text = typeof answer === "string" ? answer : JSON.stringify(answer);
    expect(text.length).toBeGreaterThan(20);
  });
});

/** Starts `tpo mcp --http 0` and returns its endpoint once it listens. */
async function startHttp(
  env: Record<string, string | undefined>,
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const { command, args } = cliCommand(["mcp", "--http", "0"]);
  const child = spawn(command, args, { cwd: ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  await waitUntil(() => /listening on (http:\/\/\S+\/mcp)/.test(output), 30_000, "tpo mcp --http to listen");
  const url = /listening on (http:\/\/\S+\/mcp)/.exec(output)![1];
  return { url, child, output: () => output };
}

describe("tpo mcp --http", () => {
  it("serves the tool over streamable HTTP behind the token and the Host and Origin checks", async () => {
    const server = await startHttp({ ...simServerEnv(sim), TPO_SERVER_API_KEY: TOKEN });
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    };
    // node:http, since fetch sets Host itself.
    const post = (headers: Record<string, string>) =>
      new Promise<{ status: number; text: () => Promise<string> }>((resolve, reject) => {
        const body = JSON.stringify(initialize);
        const req = request(
          server.url,
          {
            method: "POST",
            headers: {
              "content-type": "application/json",
              accept: "application/json, text/event-stream",
              "content-length": Buffer.byteLength(body),
              ...headers,
            },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8").on("data", (d: string) => (text += d));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text: async () => text }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: "Bearer wrong" })).status).toBe(401);
    const fromPage = await post({ authorization: `Bearer ${TOKEN}`, origin: "https://evil.example" });
    expect(fromPage.status).toBe(403);
    expect(await fromPage.text()).toContain("Origin https://evil.example may not call this server");
    const rebound = await post({ authorization: `Bearer ${TOKEN}`, host: "evil.example" });
    expect(rebound.status).toBe(403);
    expect(await rebound.text()).toContain("tpo mcp --allowed-hosts");
    const noSession = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(noSession.status).toBe(400);

    const client = new Client({ name: "tpo-http-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
    });
    await client.connect(transport);
    clients.push(client);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["tpo_optimize"]);
    const progress: number[] = [];
    const result = (await client.callTool(
      { name: "tpo_optimize", arguments: { query: QUERY, width: 2, depth: 2 } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    )) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { iterations: number }).iterations).toBe(2);
    expect(progress).toEqual([0, 1, 2]);
    const overCap = (await client.callTool({
      name: "tpo_optimize",
      arguments: { query: QUERY, width: 21 },
    })) as CallToolResult;
    expect(overCap.isError).toBe(true);

    // A cancelled call stops its requests: the session routes the cancellation to the call.
    const before = sim.stats.count("/v1/chat/completions");
    const controller = new AbortController();
    const pending = client.callTool(
      { name: "tpo_optimize", arguments: { query: QUERY, width: 2, depth: 5 } },
      undefined,
      {
        signal: controller.signal,
        onprogress: () => {
          sim.setFaults([{ kind: "delay", ms: 60_000, path: "/v1/chat/completions" }]);
          controller.abort("done waiting");
        },
      },
    );
    await expect(pending).rejects.toThrow();
    await client.ping();
    const after = sim.stats.log.length;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(sim.stats.log.length).toBe(after);
    expect(sim.stats.count("/v1/chat/completions") - before).toBeLessThan(4); // the first sampling, a critique at most
    sim.setFaults([]);
  });
});
