import type { Command } from "commander";
import { addModelFlags, addServeFlags } from "../flag-tables.js";
import type { ServeFlags } from "../serve-options.js";
import type { CliIo } from "../io.js";

/** `tpo serve`: declared here (light, for `--help`); ../commands/serve.ts does the work. */
export function declareServe(program: Command, io: CliIo): void {
  const command = program
    .command("serve")
    .description(
      "Serve TPO as an OpenAI-compatible API: POST /v1/chat/completions runs TPO on the messages, GET /v1/models",
    );
  addModelFlags(addServeFlags(command)).action(async (flags: ServeFlags & Record<string, unknown>) => {
    const { serveAction } = await import("../commands/serve.js");
    await serveAction(flags, io);
  });
}
