import { loadModels, modelSettingsFromEnv } from "../from-env/models-from-env.js";
import { createTpoGraph } from "../graph/builder.js";
import type { TpoModels } from "../models/tpo-models.js";
import { createSimWorld } from "../sim/index.js";

/**
 * The models of the graphs that `langgraph.json` serves: those of the environment (TPO_MODEL,
 * TPO_BACKEND, …) when any is set, else the simulated world, so that Studio works with no set-up.
 */
export function studioModels(env: NodeJS.ProcessEnv = process.env): TpoModels {
  const settings = modelSettingsFromEnv(env);
  if (settings.backend || settings.model || settings.baseUrl) return loadModels(settings);
  const world = createSimWorld();
  return { ...world, critic: world.policy };
}

export const graph = createTpoGraph(studioModels());
