import { loadModels, modelSettingsFromEnv } from "../../config/models-from-env.js";
import { startTpoServer } from "../../server/openai-server.js";
import { numberFlag } from "../flags.js";
import { TPO_PROGRESS_MODES, type TpoProgressMode } from "../../embed/progress-reasoning.js";
import { CliUsageError } from "../errors.js";

export interface ServeOptions {
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

/** `tpo serve`'s work; ../declare/serve.ts declares the command and loads this on demand. */
export async function serveAction(options: ServeOptions): Promise<void> {
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
}
