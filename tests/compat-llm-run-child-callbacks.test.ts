import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { RunnableLambda } from "@langchain/core/runnables";
import { RunCollectorCallbackHandler } from "@langchain/core/tracers/run_collector";
import { describe, expect, it } from "vitest";
import { llmRunChildCallbacks } from "../src/compat/llm-run-child-callbacks.js";

/**
 * What src/compat/llm-run-child-callbacks.ts relies on in @langchain/core: an LLM run manager keeps
 * the handlers, tags and metadata its child runs inherit in `inheritableHandlers`,
 * `inheritableTags` and `inheritableMetadata`. A failure here means that LangChain changed them.
 */
/** Records the names of the chain runs it hears of; named so that it can be dropped. */
class ChainStarts extends BaseCallbackHandler {
  readonly names: string[] = [];
  constructor(readonly name: string) {
    super();
  }
  override handleChainStart(chain: { id?: string[] }): void {
    this.names.push(chain.id?.at(-1) ?? "?");
  }
}

/** A chat model that runs an inner runnable with the callbacks llmRunChildCallbacks gives. */
class NestingChatModel extends BaseChatModel {
  _llmType(): string {
    return "nesting";
  }
  async _generate(
    _messages: unknown,
    _options: unknown,
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const callbacks = runManager
      ? llmRunChildCallbacks(runManager, { dropHandlers: new Set(["dropped"]), tags: ["inner"] })
      : undefined;
    const text = await RunnableLambda.from((x: string) => x.toUpperCase()).invoke("ok", { callbacks });
    return { generations: [{ text, message: new AIMessage(text) }] };
  }
}

describe("LangChain's inheritable run-manager fields, as llmRunChildCallbacks uses them", () => {
  it("traces the inner run as a child of the LLM run, with its tags and metadata, less the dropped handler", async () => {
    const collector = new RunCollectorCallbackHandler();
    const dropped = new ChainStarts("dropped");
    const kept = new ChainStarts("kept");
    const answer = await new NestingChatModel({}).invoke("hi", {
      callbacks: [collector, kept, dropped],
      tags: ["outer"],
      metadata: { request: 7 },
    });
    expect(answer.text).toBe("OK");
    const [llmRun] = collector.tracedRuns;
    expect(llmRun.run_type).toBe("llm");
    expect(llmRun.child_runs).toHaveLength(1);
    const [inner] = llmRun.child_runs ?? [];
    expect(inner.name).toBe("RunnableLambda");
    expect(inner.tags).toEqual(expect.arrayContaining(["outer", "inner"]));
    expect(inner.extra?.metadata).toMatchObject({ request: 7 });
    expect(kept.names).toEqual(["RunnableLambda"]);
    expect(dropped.names).toEqual([]);
  });
});
