import { failureOf, firstLine, upstreamAnswer, withoutAddresses } from "../run/failure.js";

/**
 * A failed run as an agent sees it (through `tpo mcp` or the LangChain tool): one line naming the
 * step and the upstream status, never an address, a key or an upstream body. Bad arguments and
 * settings keep their own message. `details` says where the whole error went, e.g. "The tpo mcp
 * log has the details."
 */
export function failureLine(error: unknown, details?: string): string {
  const failure = failureOf(error);
  const where = failure.step ? `the ${failure.step} step` : "a step";
  const message = withoutAddresses(firstLine(failure.message));
  switch (failure.kind) {
    case "settings":
    case "input":
      return message;
    case "upstream": {
      const line = `TPO failed: in ${where}, the ${failure.role} ${upstreamAnswer(failure)}.`;
      return details ? `${line} ${details}` : line;
    }
    case "config":
      return `TPO's models are not configured: ${message}`;
    default:
      return `TPO failed in ${where}: ${message}`;
  }
}
