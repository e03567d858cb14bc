import { LangChainTracer } from "@langchain/core/tracers/tracer_langchain";
import { Client } from "langsmith";
import { describe, expect, it, vi } from "vitest";
import { langSmithEndpointOf } from "../src/compat/langsmith-endpoint.js";

/**
 * What src/compat/langsmith-endpoint.ts relies on in LangSmith's client: it keeps its endpoint in
 * `apiUrl`, and a LangChainTracer made without a client gets one configured from the environment.
 * A failure here means that LangSmith or LangChain changed this internal.
 */
describe("the LangSmith client's apiUrl, as langSmithEndpointOf reads it", () => {
  it("is the endpoint a tracer's client was made with", () => {
    const tracer = new LangChainTracer({ client: new Client({ apiUrl: "http://127.0.0.1:9/smith/" }) });
    expect(langSmithEndpointOf(tracer)).toBe("http://127.0.0.1:9/smith");
  });

  it("is LANGSMITH_ENDPOINT for a tracer made without a client", () => {
    vi.stubEnv("LANGSMITH_ENDPOINT", "http://127.0.0.1:9/from-env");
    try {
      expect(langSmithEndpointOf(new LangChainTracer())).toBe("http://127.0.0.1:9/from-env");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("is undefined for a client without one", () => {
    expect(langSmithEndpointOf({ client: {} })).toBeUndefined();
  });
});
