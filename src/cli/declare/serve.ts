import type { Command } from "commander";
import type { ServeOptions } from "../commands/serve.js";

/** `tpo serve`: declared here (light, for `--help`); ../commands/serve.ts does the work. */
export function declareServe(program: Command): void {
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
      const { serveAction } = await import("../commands/serve.js");
      await serveAction(options);
    });
}
