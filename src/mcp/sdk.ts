import { TpoConfigError } from "../errors.js";
import { firstLineOf, importModule, isModuleNotFound, type ImportModule } from "../util/optional-module.js";

export const MCP_SDK_PACKAGE = "@modelcontextprotocol/sdk";

/** The parts of the MCP SDK that `tpo mcp` uses. */
export interface McpSdk {
  Server: typeof import("@modelcontextprotocol/sdk/server/index.js").Server;
  StdioServerTransport: typeof import("@modelcontextprotocol/sdk/server/stdio.js").StdioServerTransport;
  StreamableHTTPServerTransport: typeof import("@modelcontextprotocol/sdk/server/streamableHttp.js").StreamableHTTPServerTransport;
  ListToolsRequestSchema: typeof import("@modelcontextprotocol/sdk/types.js").ListToolsRequestSchema;
  CallToolRequestSchema: typeof import("@modelcontextprotocol/sdk/types.js").CallToolRequestSchema;
  McpError: typeof import("@modelcontextprotocol/sdk/types.js").McpError;
  ErrorCode: typeof import("@modelcontextprotocol/sdk/types.js").ErrorCode;
  isInitializeRequest: typeof import("@modelcontextprotocol/sdk/types.js").isInitializeRequest;
}

/**
 * The MCP SDK, an optional peer dependency, loaded by name at run time so that only `tpo mcp`
 * needs it; when it is missing, a TpoConfigError says how to install it.
 */
export async function loadMcpSdk(load: ImportModule = importModule): Promise<McpSdk> {
  try {
    const [server, stdio, http, types] = (await Promise.all([
      load(`${MCP_SDK_PACKAGE}/server/index.js`),
      load(`${MCP_SDK_PACKAGE}/server/stdio.js`),
      load(`${MCP_SDK_PACKAGE}/server/streamableHttp.js`),
      load(`${MCP_SDK_PACKAGE}/types.js`),
    ])) as [
      typeof import("@modelcontextprotocol/sdk/server/index.js"),
      typeof import("@modelcontextprotocol/sdk/server/stdio.js"),
      typeof import("@modelcontextprotocol/sdk/server/streamableHttp.js"),
      typeof import("@modelcontextprotocol/sdk/types.js"),
    ];
    return {
      Server: server.Server,
      StdioServerTransport: stdio.StdioServerTransport,
      StreamableHTTPServerTransport: http.StreamableHTTPServerTransport,
      ListToolsRequestSchema: types.ListToolsRequestSchema,
      CallToolRequestSchema: types.CallToolRequestSchema,
      McpError: types.McpError,
      ErrorCode: types.ErrorCode,
      isInitializeRequest: types.isInitializeRequest,
    };
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    const message = firstLineOf(error);
    throw new TpoConfigError(
      `the MCP server (tpo mcp) needs the package ${MCP_SDK_PACKAGE}, an optional dependency of langgraph-tpo that is not ` +
        `installed: run \`npm install ${MCP_SDK_PACKAGE}\` where langgraph-tpo is installed (${message}).`,
      { cause: error },
    );
  }
}
