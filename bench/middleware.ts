/**
 * 13. What `tpoMiddleware` adds to a `createAgent` run beyond the TPO run itself (issue 33): the
 * same agent (a scripted tool-calling model and one tool) with and without the middleware, and
 * the TPO run alone over the conversation the middleware hands it, in process in the simulated
 * world, passes alternating. Added = (agent with middleware) − (agent alone) − (TPO alone), in
 * CPU time: in process nothing waits, and on a shared machine CPU time is far steadier than wall time.
 */
import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { createAgent, FakeToolCallingModel } from "langchain";
import { z } from "zod";
import { tpoConversationOf } from "../src/adapters/agent-conversation.js";
import { createTpoGraph, parseTpoContext, runTpoToEnd } from "../src/index.js";
import { tpoMiddleware } from "../src/langchain.js";
import { createSimWorld } from "../src/sim/index.js";
import type { BenchEnv } from "./measures.js";
import { cpuMs, round, roundSpread, spread, type Spread } from "./stats.js";

export const MIDDLEWARE_TARGET_MS = 5;

/** Runs per timed block. */
const BLOCK = 5;

export interface MiddlewareMeasure {
  depth: number;
  width: number;
  rounds: number;
  agentAloneMs: Spread;
  tpoAloneMs: Spread;
  agentWithTpoMs: Spread;
  /** The median of the agent with the middleware less the medians of the agent alone and of TPO alone. */
  addedMs: number;
  /** Per round, the agent with the middleware less the agent alone and TPO alone: how noisy addedMs is. */
  addedPerRound: Spread;
  targetMs: number;
  met: boolean;
}

const lookup = tool(async () => "The table is solid oak with an oil finish.", {
  name: "lookup",
  description: "Looks up facts about the user's furniture.",
  schema: z.object({ what: z.string() }),
});

/** The agent's model: a tool call, then a final answer (langchain's scripted test model). */
function agentModel() {
  return new FakeToolCallingModel({
    toolCalls: [[{ id: "call_1", name: "lookup", args: { what: "table" } }], []],
  });
}

/**
 * The CPU time of this process per run of `fn`, in ms, over a block of runs: a block spreads
 * the garbage collections that fall into it over its runs, so that no single run pays for them.
 */
async function cpuPerRun(fn: () => Promise<unknown>, runs: number): Promise<number> {
  const start = cpuMs();
  for (let i = 0; i < runs; i++) await fn();
  return (cpuMs() - start) / runs;
}

export async function measureMiddleware(env: BenchEnv): Promise<MiddlewareMeasure> {
  const { depth, width, rounds, warmUpRounds } = env.config.middleware;
  // A fixed seed: every TPO run, inside the agent or alone, samples the same texts.
  const settings = { width, depth, seed: 7 };
  const world = createSimWorld();
  const question = { messages: [new HumanMessage(env.prompts[0])] };
  const alone = createAgent({ model: agentModel(), tools: [lookup] });
  // The agent's answer stays out of the pool, so that TPO inside the agent does what TPO alone does.
  const middleware = tpoMiddleware({ ...world, settings, agentAnswerInPool: false });
  const withTpo = createAgent({ model: agentModel(), tools: [lookup], middleware: [middleware] });
  const conversation = tpoConversationOf(undefined, (await alone.invoke(question)).messages.slice(0, -1));
  const graph = createTpoGraph(world);
  const context = parseTpoContext(settings);
  const passes = {
    agentAlone: () => alone.invoke(question),
    tpoAlone: () => runTpoToEnd(graph, { messages: conversation }, { context }),
    agentWithTpo: () => withTpo.invoke(question),
  };
  const times: Record<keyof typeof passes, number[]> = { agentAlone: [], tpoAlone: [], agentWithTpo: [] };
  for (let i = 0; i < warmUpRounds; i++) for (const pass of Object.values(passes)) await pass();
  for (let i = 0; i < rounds; i++) {
    for (const [name, pass] of Object.entries(passes)) {
      times[name as keyof typeof passes].push(await cpuPerRun(pass, BLOCK));
    }
  }
  const [agentAloneMs, tpoAloneMs, agentWithTpoMs] = [
    times.agentAlone,
    times.tpoAlone,
    times.agentWithTpo,
  ].map(spread);
  const addedPerRound = spread(
    times.agentWithTpo.map((ms, i) => ms - times.agentAlone[i] - times.tpoAlone[i]),
  );
  const addedMs = agentWithTpoMs.median - agentAloneMs.median - tpoAloneMs.median;
  env.log(
    `  middleware D${depth}-N${width}: agent ${agentAloneMs.median.toFixed(2)} ms, TPO ${tpoAloneMs.median.toFixed(2)} ms, ` +
      `agent with TPO ${agentWithTpoMs.median.toFixed(2)} ms of CPU: ${addedMs.toFixed(2)} ms added`,
  );
  return {
    depth,
    width,
    rounds,
    agentAloneMs: roundSpread(agentAloneMs, 2),
    tpoAloneMs: roundSpread(tpoAloneMs, 2),
    agentWithTpoMs: roundSpread(agentWithTpoMs, 2),
    addedMs: round(addedMs, 2),
    addedPerRound: roundSpread(addedPerRound, 2),
    targetMs: MIDDLEWARE_TARGET_MS,
    met: addedMs <= MIDDLEWARE_TARGET_MS,
  };
}

export function middlewareHeadline(m: MiddlewareMeasure) {
  return {
    measure: `\`tpoMiddleware\` in a \`createAgent\` run, D${m.depth}-N${m.width} in process: CPU time added beyond the TPO run (ms per agent run)`,
    figure: m.addedMs.toFixed(2),
    target: `≤ ${m.targetMs}`,
    verdict: m.met ? "met" : "**missed**",
  };
}

export function renderMiddleware(m: MiddlewareMeasure): string {
  const cell = (s: Spread) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  return [
    `One \`createAgent\` run (a scripted model that calls one tool, then answers) with and without \`tpoMiddleware\`, and the TPO run alone over the conversation the middleware hands it (D${m.depth}-N${m.width}, the agent's answer kept out of the pool so that both TPO runs do the same work), in process in the simulated world with no latency: CPU milliseconds of the process per run (nothing waits in process, and CPU time stays steady on a busy machine), median (min–max) over ${m.rounds} rounds of the three, alternating, each timed as a block of ${BLOCK} runs (which spreads garbage collection over them), after a warm-up; added: the median of the agent with the middleware less the other two medians, and in brackets, per round, the same difference (median, min–max), which says how noisy it is.`,
    "",
    "| agent alone | TPO alone | agent with the middleware | added by the middleware | target |",
    "| --- | --- | --- | --- | --- |",
    `| ${cell(m.agentAloneMs)} | ${cell(m.tpoAloneMs)} | ${cell(m.agentWithTpoMs)} | ${m.addedMs.toFixed(2)} [${cell(m.addedPerRound)}] | ≤ ${m.targetMs} (${m.met ? "met" : "**missed**"}) |`,
  ].join("\n");
}
