import type { Command } from "commander";
import { startSimServer } from "../../sim/server.js";
import { numberFlag } from "../flags.js";

const WHOLE = { integer: true, min: 0 };
const DURATION = { min: 0 };

export function registerSimServer(program: Command): void {
  program
    .command("sim-server")
    .description(
      "Serve the simulated world over HTTP (OpenAI chat completions, vLLM /pooling and /classify, " +
        "SGLang /classify, TEI /predict, NIM reward) until Ctrl-C",
    )
    .option("--port <port>", "port to listen on (0 picks a free one)", "8000")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--latency-ms <ms>", "milliseconds added to every request", "0")
    .option("--per-token-ms <ms>", "milliseconds added per output token of a chat completion", "0")
    .option("--seed <n>", "seed of the reward noise and of chat requests without a seed", "0")
    .option("--ignore-n", "answer every chat completion with one choice, as Ollama does")
    .action(
      async (options: {
        port: string;
        host: string;
        latencyMs: string;
        perTokenMs: string;
        seed: string;
        ignoreN?: boolean;
      }) => {
        const server = await startSimServer({
          port: numberFlag("--port", options.port, WHOLE),
          host: options.host,
          seed: numberFlag("--seed", options.seed, WHOLE),
          latency: {
            fixedMs: numberFlag("--latency-ms", options.latencyMs, DURATION),
            perTokenMs: numberFlag("--per-token-ms", options.perTokenMs, DURATION),
          },
          ignoreN: options.ignoreN ?? false,
        });
        console.log(`Simulated world listening on ${server.url}`);
        console.log(`  policy:  OPENAI_BASE_URL=${server.url}/v1 TPO_MODEL=tpo-sim`);
        console.log(`  rewards: ${server.url}/pooling, /classify, /predict; NIM: model "tpo-sim-reward"`);
        console.log("A demonstration of the mechanics, not a real model. Ctrl-C stops it.");
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
        console.log("Simulated world stopped.");
      },
    );
}
