/**
 * How ChatOpenAI binds call options in `withConfig`: it builds a new model from its fields and
 * keeps the options in its protected `defaultOptions`, which `invoke` and `stream` merge under
 * each call's own options. A subclass that must stay itself through `withConfig` does the same.
 *
 * Pinned by tests/compat-chat-openai-default-options.test.ts.
 */
type WithDefaults = { defaultOptions?: Record<string, unknown> };

/** `copy`, a fresh model built from the fields of `from`, with the options of `from` and `config` bound. */
export function withBoundOptions<M extends object>(copy: M, from: M, config: object): M {
  (copy as unknown as WithDefaults).defaultOptions = {
    ...(from as unknown as WithDefaults).defaultOptions,
    ...config,
  };
  return copy;
}
