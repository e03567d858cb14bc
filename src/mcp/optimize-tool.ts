import { summarizeRun, type TpoRunSummary } from "../adapters/run-summary.js";
import type { TpoGraph } from "../graph/builder.js";
import { runTpoToEnd, type RunEvent } from "../run/index.js";
import type { TpoContext, TpoContextInput } from "../settings/run-settings.js";
import { failureLine } from "../adapters/failure-line.js";

const LOG_HAS_DETAILS = "The tpo mcp log has the details.";
import { cappedDefaults } from "../settings/capped-defaults.js";
import { parseToolArguments, type McpCaps } from "./settings.js";
import { toolDefinition } from "./tool-definition.js";

/** What a tool call can do besides returning: hear of its cancellation, report progress. */
export interface ToolCallContext {
  /** Aborted when the client cancels the call (notifications/cancelled) or the connection closes. */
  signal: AbortSignal;
  /** The call's `_meta`; a progress token asks for notifications/progress. */
  _meta?: { progressToken?: string | number; [key: string]: unknown };
  sendNotification(notification: {
    method: "notifications/progress";
    params: { progressToken: string | number; progress: number; total?: number; message?: string };
  }): Promise<void>;
}

/** A tool result as MCP returns it. */
export interface ToolResult {
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [key: string]: unknown;
}

/** Runs at once, shared by every connection of one server; a call beyond them is refused. */
export class RunSlots {
  private active = 0;
  constructor(readonly max: number) {}
  take(): boolean {
    if (this.active >= this.max) return false;
    this.active++;
    return true;
  }
  release(): void {
    this.active = Math.max(0, this.active - 1);
  }
}

export interface OptimizeToolOptions {
  graph: TpoGraph;
  caps: McpCaps;
  /** Run settings of every call (the operator's), under the caps; a call's arguments override them. */
  defaults?: TpoContextInput;
  slots: RunSlots;
  /** Told about every call that failed after it started, with the whole error (for the log). */
  onError?: (error: unknown, line: string) => void;
}

export interface OptimizeTool {
  definition: ReturnType<typeof toolDefinition>;
  call(args: unknown, context: ToolCallContext): Promise<ToolResult>;
}

function errorResult(line: string): ToolResult {
  return { content: [{ type: "text", text: line }], isError: true };
}

function score(value: number | null): string {
  return value === null ? "-" : String(Number(value.toPrecision(4)));
}

/** One notifications/progress per finished iteration: progress = iteration, total = the depth. */
function progressReporter(
  context: TpoContext,
  call: ToolCallContext,
): ((event: RunEvent) => void) | undefined {
  const token = call._meta?.progressToken;
  if (token === undefined) return undefined;
  const total = context.mode === "bon" ? 0 : context.depth;
  return (event) => {
    if (event.type !== "tpo.iteration.recorded") return;
    const { iteration, bestSoFar } = event.record;
    const what = iteration === 0 ? "first sampling" : `iteration ${iteration} of ${total}`;
    call
      .sendNotification({
        method: "notifications/progress",
        params: {
          progressToken: token,
          progress: iteration,
          total,
          message: `${what}: best score ${score(bestSoFar)}`,
        },
      })
      .catch(() => {}); // a client that went away: the run's signal stops it
  };
}

/** The `tpo_optimize` tool over a TPO graph, independent of the transport. */
export function createOptimizeTool(options: OptimizeToolOptions): OptimizeTool {
  const { graph, caps, slots } = options;
  const defaults = cappedDefaults(options.defaults ?? {}, caps, "mcp");
  return {
    definition: toolDefinition(caps, defaults),
    async call(args, call) {
      let parsed;
      try {
        parsed = parseToolArguments(args, caps, defaults);
      } catch (error) {
        return errorResult(failureLine(error));
      }
      if (!slots.take()) {
        return errorResult(
          `The server is running its maximum of ${slots.max} TPO runs; call again when one has finished.`,
        );
      }
      const started = performance.now();
      try {
        const { state } = await runTpoToEnd(graph, parsed.input, {
          context: parsed.context,
          signal: call.signal,
          onEvent: progressReporter(parsed.context, call),
        });
        const summary: TpoRunSummary = summarizeRun(state, parsed.context, performance.now() - started);
        return {
          content: [{ type: "text", text: summary.answer }],
          structuredContent: summary as unknown as Record<string, unknown>,
        };
      } catch (error) {
        if (call.signal.aborted) return errorResult("The call was cancelled.");
        const line = failureLine(error, LOG_HAS_DETAILS);
        options.onError?.(error, line);
        return errorResult(line);
      } finally {
        slots.release();
      }
    },
  };
}
