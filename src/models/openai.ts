import { ChatOpenAI } from "@langchain/openai";
import type { ModelSettings } from "./env.js";

/** A chat model of an OpenAI-compatible server (OpenAI, vLLM, SGLang, Ollama, llama.cpp, …). */
export function createOpenAIChatModel(settings: ModelSettings, model: string): ChatOpenAI {
  return new ChatOpenAI({
    model,
    apiKey: settings.apiKey ?? "not-needed",
    configuration: settings.baseUrl ? { baseURL: settings.baseUrl } : undefined,
  });
}
