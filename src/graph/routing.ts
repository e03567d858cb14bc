import { ensureContext } from "../settings/run-settings.js";
import type { TpoStateType } from "../state/state.js";

/**
 * After decide: finish once it recorded a stop reason, else iterate again. The depth bounds the
 * loop here too, so that a replaced decide node that never stops still ends at the depth.
 */
export function routeAfterDecide(
  state: TpoStateType,
  runtime?: { context?: unknown },
): "critique" | "finalize" {
  const { mode, depth } = ensureContext(runtime);
  return state.stopReason === null && mode !== "bon" && state.iteration < depth ? "critique" : "finalize";
}
