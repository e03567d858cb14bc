import { expect } from "vitest";
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

/**
 * Starts a run with an abort signal, aborts it while the run's first critique waits at the gate,
 * and checks that the run fails with the abort and sends the critic no further request.
 */
export async function expectAbortStopsCritic(
  critic: GatedCritic,
  start: (signal: AbortSignal) => Promise<unknown>,
): Promise<void> {
  const controller = new AbortController();
  const pending = start(controller.signal);
  pending.catch(() => {});
  for (let i = 0; i < 4000 && critic.requests === 0; i++) await new Promise((r) => setTimeout(r, 5));
  expect(critic.requests).toBe(1); // the first critique waits at the gate
  controller.abort(new Error("the agent was cancelled"));
  await expect(pending).rejects.toThrow(/cancelled|abort/i);
  critic.open();
  await new Promise((r) => setTimeout(r, 50));
  expect(critic.requests).toBe(1); // no gradient, no update, no further iteration
}
