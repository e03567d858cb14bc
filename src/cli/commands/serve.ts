import { loadModels } from "../../from-env/models-from-env.js";
import { reachesSimulatedServer } from "../../from-env/simulated-servers.js";
import { redactUrls } from "../../util/redact.js";
import { startTpoServer } from "../../server/openai-server.js";
import { flushTraces } from "../exit-on-error.js";
import { portInUse } from "../errors.js";
import { modelSettings } from "../flags.js";
import { parseServeFlags, type ServeFlags } from "../serve-options.js";
import { writeLine, type CliIo } from "../io.js";

/** `tpo serve`'s work; ../declare/serve.ts declares the command and loads this on demand. */
export async function serveAction(flags: ServeFlags & Record<string, unknown>, io: CliIo): Promise<void> {
  const options = parseServeFlags(flags); // every flag is checked before the server listens
  const settings = modelSettings(flags, io.env);
  loadModels(settings); // fail now, with the set-up help, rather than on the first request
  const apiKey = io.env.TPO_SERVER_API_KEY?.trim() || undefined;
  const configured = settings.model ?? (settings.backend === "sim" ? "tpo-sim" : "tpo");
  // "tpo" names the configured model too, for clients (and examples) that need some name.
  const modelIds = [...new Set([configured, ...options.models, "tpo"])];
  const server = await startTpoServer({
    port: options.port,
    host: options.host,
    maxConcurrentRuns: options.maxConcurrentRuns,
    apiKey,
    progress: options.progress,
    modelIds,
    // The request's model, one of modelIds, is the upstream policy model (the simulated world ignores it).
    models: (model) =>
      loadModels(
        settings.backend === "sim" || model === undefined || model === "tpo"
          ? settings
          : { ...settings, model },
      ),
    caps: options.caps,
    corsOrigins: options.corsOrigins,
    allowedHosts: options.allowedHosts,
    maxConnections: options.maxConnections,
    requestTimeoutMs: options.requestTimeoutMs,
    ui: options.ui && {
      // The simulated world in process, or behind `tpo sim-server` (which says so in its model list).
      note:
        settings.backend === "sim" ||
        configured.startsWith("tpo-sim") ||
        (await reachesSimulatedServer(settings))
          ? "Simulated world: the answers and scores show the mechanics of TPO, not the behaviour of real models."
          : undefined,
    },
    onError: (error, answer) => {
      const detail = error instanceof Error ? error.message : String(error);
      writeLine(io.stderr, redactUrls(`tpo serve: answered ${answer.status}: ${detail}`));
    },
  }).catch((error: unknown) => {
    throw portInUse(error, options.host, options.port);
  });
  writeLine(io.stdout, `TPO server listening on ${server.url} (POST /v1/chat/completions, GET /v1/models)`);
  if (options.ui) {
    writeLine(
      io.stdout,
      `Playground: ${server.url}/${apiKey ? " (it asks for TPO_SERVER_API_KEY)" : ""}; runs from the page share the caps below.`,
    );
  }
  const { maxWidth, maxDepth, maxTokens } = options.caps;
  writeLine(
    io.stdout,
    `Models: ${modelIds.join(", ")}; per request at most width ${maxWidth}, depth ${maxDepth}, ${maxTokens} tokens.`,
  );
  if (!apiKey) writeLine(io.stdout, "No TPO_SERVER_API_KEY set: requests are not authenticated.");
  if (!apiKey && !["127.0.0.1", "localhost", "::1"].includes(options.host)) {
    writeLine(
      io.stdout,
      `Bound to ${options.host} without an API key: anyone who reaches it can run TPO at your cost.`,
    );
  }
  if (settings.backend === "sim") {
    writeLine(
      io.stdout,
      "Simulated world: answers show the mechanics of TPO and say nothing about real models.",
    );
  }
  const stop = (signal: string) => {
    writeLine(io.stdout, `${signal}: finishing ${server.activeRuns()} run(s) in flight, then closing.`);
    void server.close({ graceMs: options.graceMs }).then(async () => {
      writeLine(io.stdout, "TPO server closed.");
      // The last runs' traces get the same bounded flush as any command's exit: LangSmith's client
      // would otherwise retry an unreachable endpoint for minutes before the process could end.
      if (!(await flushTraces(io))) process.exit();
    });
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
