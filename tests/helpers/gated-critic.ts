import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { SimChatModel } from "../../src/sim/index.js";

/** A simulated critic that waits, from its first request on, until the test lets it go. */
export class GatedCritic extends SimChatModel {
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  requests = 0;

  open(): void {
    this.release();
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.requests++;
    await this.gate;
    return super._generate(messages, options);
  }
}
