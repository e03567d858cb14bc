import type { ModelSettings } from "../from-env/models-from-env.js";
import { redactUrls } from "../http/redact.js";
import { failureOf, firstLine } from "../run/failure.js";

/** Where a step's requests went, as a person would look for it. */
export function endpointOf(step: string, settings: ModelSettings): string {
  if (settings.backend === "sim") return "the simulated world";
  const server = settings.baseUrl ?? "the OpenAI API";
  if (step === "generate") return `policy ${settings.model ?? "?"} at ${server}`;
  if (step === "critique" || step === "gradient" || step === "update") {
    return `critic ${settings.criticModel ?? settings.model ?? "?"} at ${settings.criticBaseUrl ?? server}`;
  }
  if (step === "reward") {
    return settings.rewardUrl
      ? `reward model ${settings.rewardKind ? `(${settings.rewardKind}) ` : ""}at ${settings.rewardUrl}`
      : `the LLM judge ${settings.model ?? "?"} at ${server}`;
  }
  return "the graph";
}

/**
 * A failure of one run in one line: bad input or settings (`usage`) as they are; anything else
 * (`run`) names the step that failed and the endpoint it was talking to, credentials redacted.
 * A record's error, and `tpo run`'s last line.
 */
export function describeRunFailure(
  error: unknown,
  step: string | null,
  settings: ModelSettings,
): { kind: "usage" | "run"; message: string } {
  const failure = failureOf(error, step);
  if (failure.kind === "input" || failure.kind === "settings" || failure.kind === "config") {
    return { kind: "usage", message: failure.message };
  }
  // The clients' errors know the URL they called; the settings only say where it should have been.
  const endpoint =
    failure.role === "model server"
      ? failure.server
      : failure.role === "reward server"
        ? `${failure.rewardKind} reward server at ${failure.server}`
        : failure.step && endpointOf(failure.step, settings);
  const where = failure.step ? `the ${failure.step} step failed (${endpoint})` : "the run failed";
  return { kind: "run", message: redactUrls(`${where}: ${firstLine(failure.message)}`) };
}
