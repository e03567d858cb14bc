/**
 * LangGraph's `Pregel._validateContext` (protected, `@internal`): every run (invoke, stream,
 * streamEvents) passes its `context` through it before the first step, or its `configurable` when
 * the run has no context. A compiled StateGraph with a context schema checks the schema there, and
 * throws a raw ZodError for a bad value.
 *
 * Pinned by tests/compat-validate-context.test.ts.
 */
type ValidatesContext = { _validateContext(context: unknown): Promise<unknown> };

function hookOf(graph: object): ValidatesContext {
  const hook = graph as Partial<ValidatesContext>;
  if (typeof hook._validateContext !== "function") {
    throw new TypeError(
      "This version of @langchain/langgraph has no Pregel._validateContext: src/compat/validate-context.ts needs updating.",
    );
  }
  return hook as ValidatesContext;
}

/**
 * Makes `graph` run `check` on each run's context before LangGraph's own validation, so that a bad
 * value fails with `check`'s error. Changes this graph object only (not its class, nor the graph
 * it was configured from).
 */
export function checkContextFirst<G extends object>(graph: G, check: (context: unknown) => void): G {
  const hook = hookOf(graph);
  const validate = hook._validateContext.bind(graph);
  hook._validateContext = async (context) => {
    check(context);
    return validate(context);
  };
  return graph;
}
