import { ensureContext } from "../state/settings.js";
import type { TpoStateType } from "../state/state.js";

/** After select: iterate again while updates remain, else finish. The depth bounds the loop. */
export function routeAfterSelect(
  state: TpoStateType,
  runtime?: { context?: unknown },
): "critique" | "finalize" {
  const { mode, depth } = ensureContext(runtime);
  return mode !== "bon" && state.iteration < depth ? "critique" : "finalize";
}
