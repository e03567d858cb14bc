import { parseUrlList } from "../models/pool/url-list.js";
import type { ModelSettings } from "./models-from-env.js";

/** How `tpo sim-server` names itself in its model list (GET /v1/models): `owned_by`. */
export const SIMULATED_OWNER = "tpo-sim";

/** The model list of a server: under an OpenAI base URL (…/v1), or under a reward server's root. */
function modelListUrl(server: string): string {
  const base = server.trim().replace(/\/+$/, "");
  return base.endsWith("/v1") ? `${base}/models` : `${base}/v1/models`;
}

async function isSimulated(server: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(modelListUrl(server), { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return false;
    const list = (await response.json()) as { data?: { owned_by?: unknown }[] };
    return Array.isArray(list.data) && list.data.some((model) => model?.owned_by === SIMULATED_OWNER);
  } catch {
    return false; // not reachable, not a model list: not the simulated server, as far as can be told
  }
}

/**
 * Whether any server the settings name (policy, critic, reward, each of a list) is the simulated
 * one: it says so in its model list, so its results are labelled simulated however it was reached
 * (`--backend openai`, any model name). No key is sent; a server that does not answer within
 * `timeoutMs` counts as real.
 */
export async function reachesSimulatedServer(settings: ModelSettings, timeoutMs = 3000): Promise<boolean> {
  // The lists were checked when the models were built; one that does not parse is not probed.
  const servers = [settings.baseUrl, settings.criticBaseUrl, settings.rewardUrl].flatMap((list) => {
    try {
      return list ? parseUrlList(list, "a server list") : [];
    } catch {
      return [];
    }
  });
  const answers = await Promise.all(servers.map((server) => isSimulated(server, timeoutMs)));
  return answers.includes(true);
}
