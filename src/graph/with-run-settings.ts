import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { TpoNode, TpoNodeName } from "../nodes/contract.js";
import { parseTpoContext, TpoContextSchema, type TpoContext } from "../settings/run-settings.js";
import type { TpoStateType } from "../state/state.js";

const FIELDS = Object.keys(TpoContextSchema.shape);

/** Whether a call's context sets any run setting (Studio and the server API resume with none). */
function setsAny(context: unknown): boolean {
  if (typeof context !== "object" || context === null) return false;
  return FIELDS.some((field) => (context as Record<string, unknown>)[field] !== undefined);
}

/**
 * The settings a step runs with: those of the call when it gives any, else those the run keeps in
 * its state (so that a run resumed after an interrupt, without a context, goes on as it started).
 * `generate` starts a run: it always takes the call's, defaults and all.
 */
function settingsFor(
  name: TpoNodeName | "route",
  state: TpoStateType,
  runtime: { context?: unknown },
): unknown {
  if (name === "generate" || setsAny(runtime.context) || !state.settings) return runtime.context;
  return state.settings;
}

/** Wraps a node so that it sees the run's settings, and the state keeps the settings a call set. */
export function withRunSettings(name: TpoNodeName, node: TpoNode): TpoNode {
  return async (state, runtime) => {
    const context = settingsFor(name, state, runtime);
    const update = await node(state, { ...runtime, context } as LangGraphRunnableConfig);
    if (context === state.settings) return update;
    const settings: TpoContext = parseTpoContext(context);
    if (JSON.stringify(settings) === JSON.stringify(state.settings)) return update;
    return { ...update, settings };
  };
}

/** Wraps a routing function the same way (it reads the depth and mode). */
export function routeWithRunSettings<R>(
  route: (state: TpoStateType, runtime?: { context?: unknown }) => R,
): (state: TpoStateType, runtime?: { context?: unknown }) => R {
  return (state, runtime) =>
    route(state, { ...runtime, context: settingsFor("route", state, runtime ?? {}) });
}
