/**
 * How an error thrown by `configuration.fetch` reaches a ChatOpenAI caller: the OpenAI SDK wraps
 * it as the `cause` of an APIConnectionError (unless its text reads like a timeout: then the SDK
 * throws an APIConnectionTimeoutError without it), and LangChain passes that on. Neither promises
 * to keep the cause.
 *
 * Pinned by tests/compat-openai-fetch-error.test.ts.
 */
export function errorThrownByFetch<E>(
  error: unknown,
  is: (candidate: unknown) => candidate is E,
): E | undefined {
  let current = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === "object"; depth++) {
    if (is(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
