import { BaseChatModel, type BaseChatModelCallOptions } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import type { RewardItem, RewardModel } from "../../src/index.js";
import type { SamplingCallOptions } from "../../src/models/chat/sample-responses.js";
import { SAMPLING_CALL_KEYS } from "../../src/models/chat/sampling-call-options.js";

type Options = BaseChatModelCallOptions & SamplingCallOptions;

export interface RecordedCall {
  messages: BaseMessage[];
  options: SamplingCallOptions;
  /** The system and user text of the call, joined. */
  prompt: string;
}

export type Responder = (call: RecordedCall, index: number, callNumber: number) => string;

/** A chat model that answers through a function and records every call. */
export class ScriptedChatModel extends BaseChatModel<Options> {
  readonly calls: RecordedCall[] = [];
  constructor(
    private readonly responder: Responder,
    private readonly honoursN = true,
  ) {
    super({});
  }
  _llmType(): string {
    return "scripted";
  }
  /** It reads the sampling settings from call options. */
  override get callKeys(): string[] {
    return [...super.callKeys, ...SAMPLING_CALL_KEYS];
  }
  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const call: RecordedCall = {
      messages,
      options: {
        temperature: options.temperature,
        topP: options.topP,
        maxTokens: options.maxTokens,
        seed: options.seed,
        n: options.n,
        ...(options.stop === undefined ? {} : { stop: options.stop }),
      },
      prompt: messages.map((m) => m.text).join("\n"),
    };
    const callNumber = this.calls.push(call) - 1;
    const n = this.honoursN ? Math.max(1, options.n ?? 1) : 1;
    const generations = Array.from({ length: n }, (_, i) => {
      const text = this.responder(call, i, callNumber);
      return { text, message: new AIMessage(text) };
    });
    return { generations };
  }
  /** Calls whose prompt contains `marker`. */
  callsWith(marker: string): RecordedCall[] {
    return this.calls.filter((c) => c.prompt.includes(marker));
  }
}

/** Distinct texts everywhere: "sample c.i" for generate, tagged "update c.i" for updates. */
export function uniqueResponder(): Responder {
  return (call, index, callNumber) =>
    call.prompt.includes("<suggestions>")
      ? `<improved_response>update ${callNumber}.${index}</improved_response>`
      : call.prompt.includes("<query>")
        ? `feedback ${callNumber}`
        : `sample ${callNumber}.${index}`;
}

/** A reward model that scores by a function of the text and records the batches it was given. */
export class RecordingRewardModel implements RewardModel {
  readonly name = "recording";
  readonly batches: RewardItem[][] = [];
  constructor(private readonly scoreOf: (text: string) => number = (text) => text.length) {}
  async score(items: RewardItem[]): Promise<number[]> {
    this.batches.push(items);
    return items.map((item) => this.scoreOf(item.response));
  }
}
