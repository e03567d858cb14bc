import { modelSettingsFromEnv } from "../models/env.js";
import { createSimWorld } from "../sim/index.js";
import { createTpoGraph, type TpoGraphOptions } from "./builder.js";

/**
 * The models of the graphs that `langgraph.json` serves: those of the environment (TPO_MODEL,
 * TPO_BACKEND, …, read on the first run) when any is set, else the simulated world, so that
 * Studio works with no set-up.
 */
export function studioModels(
  env: NodeJS.ProcessEnv = process.env,
): Pick<TpoGraphOptions, "policy" | "rewardModel"> {
  const settings = modelSettingsFromEnv(env);
  return settings.backend || settings.model || settings.baseUrl ? {} : createSimWorld();
}

export const graph = createTpoGraph(studioModels());
