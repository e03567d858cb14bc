/**
 * Where LangChain's tracer sends its traces: the LangSmith client keeps the endpoint (from
 * LANGSMITH_ENDPOINT, or its default) in its private `apiUrl`, and has no public way to read it.
 *
 * Pinned by tests/compat-langsmith-endpoint.test.ts.
 */
export function langSmithEndpointOf(tracer: { client: unknown }): string | undefined {
  const apiUrl = (tracer.client as { apiUrl?: unknown } | null)?.apiUrl;
  return typeof apiUrl === "string" && apiUrl !== "" ? apiUrl : undefined;
}
