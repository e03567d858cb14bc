import { redactUrls } from "../http/redact.js";
import type { ModelSettings } from "./models-from-env.js";

/**
 * What identifies each model of the settings, for the keys of the persistent cache: the servers
 * (credentials hidden) and the model names, never a key. The critic that is the policy has the
 * policy's identity, so their identical requests share entries; the LLM judge (no reward server)
 * is the policy's model.
 */
export function modelIdentities(settings: ModelSettings): { policy: string; critic: string; reward: string } {
  const backend = settings.backend ?? "openai";
  const url = (value: string | undefined) => (value === undefined ? undefined : redactUrls(value));
  const chat = (baseUrl: string | undefined, model: string | undefined) =>
    JSON.stringify({ backend, baseUrl: url(baseUrl), model });
  const policy = chat(settings.baseUrl, settings.model);
  const reward = JSON.stringify({
    backend,
    url: url(settings.rewardUrl),
    kind: settings.rewardKind,
    model: settings.rewardModel,
    template: settings.rewardTemplate,
    label: settings.rewardLabel,
    ...(settings.rewardUrl === undefined ? { judge: policy } : {}),
  });
  return {
    policy,
    critic: chat(settings.criticBaseUrl ?? settings.baseUrl, settings.criticModel ?? settings.model),
    reward,
  };
}

/** What a record may say about the models: never a key, nor the credentials of a URL. */
export function describeModels(settings: ModelSettings): Record<string, string> {
  const described: Record<string, string> = {};
  for (const key of [
    "backend",
    "baseUrl",
    "model",
    "criticModel",
    "criticBaseUrl",
    "rewardUrl",
    "rewardKind",
    "rewardModel",
    "rewardTemplate",
  ] as const) {
    const value = settings[key];
    if (value) described[key] = redactUrls(value);
  }
  if (settings.rewardLabel !== undefined) described.rewardLabel = String(settings.rewardLabel);
  if (settings.simulatedServer) described.simulated = "true";
  return described;
}
