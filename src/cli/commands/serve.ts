import type { Command } from "commander";
import { loadModels, modelSettingsFromEnv } from "../../config/models-from-env.js";
import { startTpoServer } from "../../server/openai-server.js";
import { numberFlag } from "../flags.js";
import { TPO_PROGRESS_MODES, type TpoProgressMode } from "../../embed/progress-reasoning.js";
import { CliUsageError } from "../errors.js";

interface ServeOptions {
  port: string;
  host: string;
  maxConcurrentRuns: string;
  grace: string;
  progress: string;
}

function progressMode(value: string): TpoProgressMode {
  if (TPO_PROGRESS_MODES.includes(value as TpoProgressMode)) return value as TpoProgressMode;
  throw new CliUsageError(`--progress must be ${TPO_PROGRESS_MODES.join(" or ")}, got "${value}".`);
}

const WHOLE = { integer: true, min: 0 };

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "Serve TPO as an OpenAI-compatible API: POST /v1/chat/completions runs TPO on the messages, GET /v1/models",
    )
    .option("--port <n>", "port to listen on (0: any free port)", "8080")
    .option("--host <host>", "address to bind; 0.0.0.0 exposes the server to the network", "127.0.0.1")
    .option("--max-concurrent-runs <n>", "TPO runs at once; more get 429", "4")
    .option(
      "--grace <seconds>",
      "on SIGTERM/SIGINT, how long runs in flight may finish before they are cancelled",
      "10",
    )
    .option(
      "--progress <mode>",
      "reasoning: answers carry the run's progress as reasoning_content (streamed per iteration, " +
        'shown as "thinking" by chat UIs) before the answer; off: the answer alone. ' +
        'A request\'s "tpo": { "progress" } overrides it',
      "off",
    )
    .action(async (options: ServeOptions) => {
      const settings = modelSettingsFromEnv();
      loadModels(settings); // fail now, with the set-up help, rather than on the first request
      const apiKey = process.env.TPO_SERVER_API_KEY?.trim() || undefined;
      const server = await startTpoServer({
        port: numberFlag("--port", options.port, WHOLE),
        host: options.host,
        maxConcurrentRuns: numberFlag("--max-concurrent-runs", options.maxConcurrentRuns, {
          integer: true,
          min: 1,
        }),
        apiKey,
        progress: progressMode(options.progress),
        modelIds: [settings.model ?? (settings.backend === "sim" ? "tpo-sim" : "tpo")],
        // The request's model picks the upstream policy model (ignored by the simulated world).
        models: (model) => loadModels({ ...settings, model: model ?? settings.model }),
      });
      console.log(`TPO server listening on ${server.url} (POST /v1/chat/completions, GET /v1/models)`);
      if (!apiKey) console.log("No TPO_SERVER_API_KEY set: requests are not authenticated.");
      if (settings.backend === "sim") {
        console.log("Simulated world: answers show the mechanics of TPO and say nothing about real models.");
      }
      const graceMs = numberFlag("--grace", options.grace, WHOLE) * 1000;
      const stop = (signal: string) => {
        console.log(`${signal}: finishing ${server.activeRuns()} run(s) in flight, then closing.`);
        void server.close({ graceMs }).then(() => console.log("TPO server closed."));
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
}
