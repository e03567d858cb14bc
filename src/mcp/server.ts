import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { OptimizeTool } from "./optimize-tool.js";
import type { McpSdk } from "./sdk.js";

export interface McpServerInfo {
  name: string;
  version: string;
}

const INSTRUCTIONS =
  "tpo_optimize improves one answer against a reward model at the cost of many model calls: " +
  "use it for answers that matter, not for every step.";

/**
 * An MCP server (the SDK's low-level Server) with one tool, `tpo_optimize`. The tool's arguments
 * are checked by the tool itself, so that a bad one comes back as a tool error naming it.
 */
export function createTpoMcpServer(sdk: McpSdk, tool: OptimizeTool, info: McpServerInfo): Server {
  const server = new sdk.Server(info, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  server.setRequestHandler(sdk.ListToolsRequestSchema, () => ({ tools: [tool.definition] }));
  server.setRequestHandler(sdk.CallToolRequestSchema, async (request, extra) => {
    if (request.params.name !== tool.definition.name) {
      throw new sdk.McpError(
        sdk.ErrorCode.InvalidParams,
        `Unknown tool ${request.params.name}: this server offers ${tool.definition.name}.`,
      );
    }
    return tool.call(request.params.arguments, extra);
  });
  return server;
}
