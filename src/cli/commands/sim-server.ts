import { startSimServer } from "../../sim/server.js";
import { numberFlag } from "../flags.js";
import { portInUse } from "../errors.js";
import { writeLine, type CliIo } from "../io.js";

const WHOLE = { integer: true, min: 0 };
const DURATION = { min: 0 };

export interface SimServerOptions {
  port: string;
  host: string;
  latencyMs: string;
  perTokenMs: string;
  seed: string;
  ignoreN?: boolean;
  answerChars?: string;
  prefixCache: boolean;
  maxInFlight?: string;
}

/** `tpo sim-server`'s work; ../declare/sim-server.ts declares the command and loads this on demand. */
export async function simServerAction(options: SimServerOptions, io: CliIo): Promise<void> {
  const port = numberFlag("--port", options.port, WHOLE);
  const server = await startSimServer({
    port,
    host: options.host,
    seed: numberFlag("--seed", options.seed, WHOLE),
    latency: {
      fixedMs: numberFlag("--latency-ms", options.latencyMs, DURATION),
      perTokenMs: numberFlag("--per-token-ms", options.perTokenMs, DURATION),
    },
    ignoreN: options.ignoreN ?? false,
    prefixCache: options.prefixCache,
    ...(options.answerChars === undefined
      ? {}
      : { answerChars: numberFlag("--answer-chars", options.answerChars, { integer: true, min: 1 }) }),
    ...(options.maxInFlight === undefined
      ? {}
      : { maxInFlight: numberFlag("--max-in-flight", options.maxInFlight, { integer: true, min: 1 }) }),
  }).catch((error: unknown) => {
    throw portInUse(error, options.host, port);
  });
  writeLine(io.stdout, `Simulated world listening on ${server.url}`);
  writeLine(io.stdout, `  policy:  TPO_BACKEND=openai OPENAI_BASE_URL=${server.url}/v1 TPO_MODEL=tpo-sim`);
  writeLine(io.stdout, `  rewards: ${server.url}/pooling, /classify, /predict; NIM: model "tpo-sim-reward"`);
  writeLine(io.stdout, "A demonstration of the mechanics, not a real model. Ctrl-C stops it.");
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await server.close();
  writeLine(io.stdout, "Simulated world stopped.");
}
