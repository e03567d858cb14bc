import type { Command } from "commander";
import { addMcpFlags, addModelFlags } from "../flag-tables.js";
import type { McpFlags } from "../mcp-options.js";
import type { CliIo } from "../io.js";

/** `tpo mcp`: declared here (light, for `--help`); ../commands/mcp.ts does the work. */
export function declareMcp(program: Command, io: CliIo): void {
  const command = program
    .command("mcp")
    .description(
      "Serve TPO to agents as an MCP server (one tool, tpo_optimize) on standard input and output, " +
        "or over streamable HTTP with --http; needs the package @modelcontextprotocol/sdk",
    );
  addMcpFlags(command);
  addModelFlags(command);
  command.action(async (options: McpFlags & Record<string, unknown>) => {
    const { mcpAction } = await import("../commands/mcp.js");
    await mcpAction(options, io);
  });
}
