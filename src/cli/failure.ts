import {
  ModelRequestError,
  RewardRequestError,
  TpoConfigError,
  TpoInputError,
  TpoSettingsError,
  TpoStepError,
} from "../errors.js";
import type { ModelSettings } from "../from-env/models-from-env.js";
import { CliRunError, CliUsageError } from "./errors.js";
import { redactUrls } from "../http/redact.js";

/** Where a step's requests went, as a person would look for it. */
export function endpointOf(step: string, settings: ModelSettings): string {
  if (settings.backend === "sim") return "the simulated world";
  const server = settings.baseUrl ?? "the OpenAI API";
  if (step === "generate") return `policy ${settings.model ?? "?"} at ${server}`;
  if (step === "critique" || step === "gradient" || step === "update") {
    return `critic ${settings.criticModel ?? settings.model ?? "?"} at ${server}`;
  }
  if (step === "reward") {
    return settings.rewardUrl
      ? `reward model ${settings.rewardKind ? `(${settings.rewardKind}) ` : ""}at ${settings.rewardUrl}`
      : `the LLM judge ${settings.model ?? "?"} at ${server}`;
  }
  return "the graph";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A failure of one run, as the CLI reports it: bad input or settings are usage errors; anything
 * else names the step that failed and the endpoint it was talking to.
 */
export function describeFailure(error: unknown, step: string | null, settings: ModelSettings): Error {
  if (error instanceof TpoStepError) return describeFailure(error.cause, error.step ?? step, settings);
  if (error instanceof CliUsageError || error instanceof CliRunError) return error;
  if (
    error instanceof TpoInputError ||
    error instanceof TpoSettingsError ||
    error instanceof TpoConfigError
  ) {
    return new CliUsageError(redactUrls(messageOf(error)));
  }
  // The clients' errors know the URL they called; the settings only say where it should have been.
  const endpoint =
    error instanceof ModelRequestError
      ? error.endpoint
      : error instanceof RewardRequestError
        ? `${error.kind} reward server at ${error.url}`
        : step && endpointOf(step, settings);
  const where = step ? `the ${step} step failed (${endpoint})` : "the run failed";
  return new CliRunError(redactUrls(`${where}: ${messageOf(error).split("\n")[0]}`), { cause: error });
}
