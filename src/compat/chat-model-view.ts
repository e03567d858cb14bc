import { BaseChatModel } from "@langchain/core/language_models/chat_models";

/**
 * LangChain chat models read their settings from their own fields (`this.temperature`,
 * `this.topP`, `this.maxTokens`, `this.n`, ChatOllama's `this.numPredict`, BaseChatModel's
 * `this.disableStreaming`, …) each time they build a request, and ChatOpenAI (AzureChatOpenAI)
 * hands each request to the chat models it keeps in its own `completions` and `responses`
 * properties. So a view of a model, an object whose prototype is the model and whose own
 * properties hold other values, sends its requests with those values, while the model itself is
 * never written to. Nothing in LangChain promises either; both are how its models are written.
 *
 * Pinned by tests/compat-chat-model-view.test.ts.
 */
export function viewWithFields<M extends BaseChatModel>(model: M, fields: Record<string, unknown>): M {
  const descriptors: PropertyDescriptorMap = {};
  for (const [name, value] of Object.entries(fields)) {
    descriptors[name] = { value, writable: true, enumerable: true, configurable: true };
  }
  return Object.create(model, descriptors) as M;
}

/** The chat models a model keeps in its own properties and hands its requests to, by property. */
export function innerChatModels(model: BaseChatModel): [string, BaseChatModel][] {
  return Object.entries(model).filter(
    (entry): entry is [string, BaseChatModel] => entry[1] instanceof BaseChatModel && entry[1] !== model,
  );
}
