import type { Command } from "commander";
import type { SimServerOptions } from "../commands/sim-server.js";
import type { CliIo } from "../io.js";

/** `tpo sim-server`: declared here (light, for `--help`); ../commands/sim-server.ts does the work. */
export function declareSimServer(program: Command, io: CliIo): void {
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
    .option("--answer-chars <n>", "make answers about n characters long, as real ones (default: short)")
    .option("--no-prefix-cache", "report no cached prompt tokens (default: a simulated prefix cache)")
    .option(
      "--max-in-flight <k>",
      "serve at most k model requests at once, queueing the others, as a GPU server (default: no limit)",
    )
    .action(async (options: SimServerOptions) => {
      const { simServerAction } = await import("../commands/sim-server.js");
      await simServerAction(options, io);
    });
}
