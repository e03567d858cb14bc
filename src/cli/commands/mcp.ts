import { loadModels } from "../../from-env/models-from-env.js";
import { createTpoGraph } from "../../graph/builder.js";
import { redactUrls } from "../../util/redact.js";
import { createMcpHttpSessions } from "../../mcp/http-sessions.js";
import { createOptimizeTool, RunSlots } from "../../mcp/optimize-tool.js";
import { loadMcpSdk } from "../../mcp/sdk.js";
import { createTpoMcpServer } from "../../mcp/server.js";
import { MAX_STDIO_MESSAGE_BYTES, serveOnStdio } from "../../mcp/stdio.js";
import { startGuardedHttpServer } from "../../server/guarded-http.js";
import { modelSettings } from "../flags.js";
import { parseMcpFlags, type McpFlags } from "../mcp-options.js";
import { packageVersion } from "../paths.js";
import { writeLine, type CliIo } from "../io.js";

/** Every line of this process goes to standard error: on stdio, standard output is the protocol's. */
function logToStderr(): void {
  for (const method of ["log", "info", "debug"] as const) console[method] = console.error;
}

/** `tpo mcp`'s work; ../declare/mcp.ts declares the command and loads this on demand. */
export async function mcpAction(flags: McpFlags & Record<string, unknown>, io: CliIo): Promise<void> {
  logToStderr();
  const log = (line: string) => writeLine(io.stderr, redactUrls(`tpo mcp: ${line}`));
  const options = parseMcpFlags(flags); // every flag is checked before the server starts
  const settings = modelSettings(flags, io.env);
  const graph = createTpoGraph(loadModels(settings)); // fails now, with the set-up help
  const sdk = await loadMcpSdk();
  const tool = createOptimizeTool({
    graph,
    caps: options.caps,
    slots: new RunSlots(options.maxConcurrentRuns),
    onError: (error, line) => {
      const detail =
        error instanceof Error ? (error.cause instanceof Error ? error.cause : error).message : "";
      log(`a call failed: ${line}${detail ? ` (${detail.split("\n")[0]})` : ""}`);
    },
  });
  const info = { name: "langgraph-tpo", version: packageVersion() };
  const newServer = () => createTpoMcpServer(sdk, tool, info);
  const { maxWidth, maxDepth, maxTokens } = options.caps;
  const limits = `per call at most width ${maxWidth}, depth ${maxDepth}, ${maxTokens} tokens; ${options.maxConcurrentRuns} runs at once`;
  const simulated = settings.backend === "sim";

  if (options.httpPort === undefined) {
    const stdio = await serveOnStdio(sdk, newServer(), {
      onTooLong: (id) =>
        log(
          `refused a message over ${MAX_STDIO_MESSAGE_BYTES / 2 ** 20} MiB (id ${JSON.stringify(id)}): ` +
            "answered with an error, still serving.",
        ),
    });
    log(`serving tpo_optimize on standard input and output (${limits}).`);
    if (simulated) log("simulated world: answers show the mechanics of TPO, not real models.");
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void stdio.close());
    await stdio.closed;
    return;
  }

  const apiKey = io.env.TPO_SERVER_API_KEY?.trim() || undefined;
  const sessions = createMcpHttpSessions(sdk, newServer);
  const server = await startGuardedHttpServer({
    port: options.httpPort,
    host: options.host,
    apiKey,
    allowedHosts: options.allowedHosts,
    path: "/mcp",
    methods: ["POST", "GET", "DELETE"],
    handle: (req, res, body) => sessions.handle(req, res, body),
    onError: (error) => log(`a request failed: ${error instanceof Error ? error.message : String(error)}`),
  });
  writeLine(io.stderr, `tpo mcp: listening on ${server.url}/mcp (streamable HTTP; ${limits}).`);
  if (!apiKey) log("no TPO_SERVER_API_KEY set: requests are not authenticated.");
  if (!apiKey && !["127.0.0.1", "localhost", "::1"].includes(options.host)) {
    log(`bound to ${options.host} without an API key: anyone who reaches it can run TPO at your cost.`);
  }
  if (simulated) log("simulated world: answers show the mechanics of TPO, not real models.");
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: closing the sessions and the server.`);
      void sessions
        .close()
        .then(() => server.close())
        .then(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
