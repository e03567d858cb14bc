import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { END, START, StateGraph, type AnnotationRoot, type StateDefinition } from "@langchain/langgraph";
import { checkContextFirst } from "../compat/validate-context.js";
import type { RolePrices } from "../models/prices.js";
import type { RewardModel } from "../models/reward/reward-model.js";
import type { ModelCaches } from "../models/model-caches.js";
import { traceRewardModel } from "../models/reward/traced-reward-model.js";
import type { TpoNode, TpoNodeName } from "../nodes/contract.js";
import { makeCritiqueNode } from "../nodes/critique.js";
import { makeDecideNode } from "../nodes/decide.js";
import { makeFinalizeNode } from "../nodes/finalize.js";
import { makeGenerateNode } from "../nodes/generate.js";
import { makeGradientNode } from "../nodes/gradient.js";
import { makeRewardNode } from "../nodes/reward.js";
import { makeSelectNode } from "../nodes/select.js";
import { makeUpdateNode } from "../nodes/update.js";
import { resolvePrompts, type TpoPromptOverrides } from "../prompts/index.js";
import { MAX_DEPTH, parseRunSettings, TpoContextSchema } from "../settings/run-settings.js";
import { TpoInputSchema, TpoState } from "../state/state.js";
import { withNodeRecords } from "./node-records.js";
import { withProgressEvents } from "./progress-events.js";
import { routeAfterDecide } from "./routing.js";
import { routeWithRunSettings, withRunSettings } from "./with-run-settings.js";

export interface TpoGraphOptions {
  /** The model that samples the first responses. */
  policy: BaseChatModel;
  /** The model that critiques, writes gradients and updates; defaults to the policy, as in the paper. */
  critic?: BaseChatModel;
  rewardModel: RewardModel;
  /** Replaces built-in nodes; a replacement keeps the node's state contract. */
  nodes?: Partial<Record<TpoNodeName, TpoNode>>;
  /** Overrides parts of the prompt templates. */
  prompts?: TpoPromptOverrides;
  /** A persistent cache of seeded responses and scores (`openTpoCache`, docs/cache.md). */
  modelCache?: ModelCaches;
  /** The price of each role's model: with them, the usage says what each node and the run cost (`costUsd`). */
  prices?: RolePrices;
}

/** Supersteps one iteration takes: critique, gradient, update, reward, select, decide. */
const STEPS_PER_ITERATION = 6;

/** A recursion limit that the deepest allowed run stays under: depth bounds the loop, not this. */
export const TPO_RECURSION_LIMIT = STEPS_PER_ITERATION * MAX_DEPTH + 10;

function builtInNodes(options: TpoGraphOptions): Record<TpoNodeName, TpoNode> {
  const custom = options.nodes ?? {};
  const prompts = resolvePrompts(options.prompts);
  const { policy, rewardModel, modelCache } = options;
  const critic = options.critic ?? policy;
  return {
    generate: custom.generate ?? makeGenerateNode({ policy, modelCache }),
    reward: custom.reward ?? makeRewardNode({ rewardModel: traceRewardModel(rewardModel), modelCache }),
    select: custom.select ?? makeSelectNode(),
    decide: custom.decide ?? makeDecideNode(),
    critique: custom.critique ?? makeCritiqueNode({ critic, prompts, modelCache }),
    gradient: custom.gradient ?? makeGradientNode({ critic, prompts, modelCache }),
    update: custom.update ?? makeUpdateNode({ critic, prompts, modelCache }),
    finalize: custom.finalize ?? makeFinalizeNode(),
  };
}

/** The uncompiled graph, to change before compiling it with `compileTpoGraph`. */
export function createTpoGraphBuilder(options: TpoGraphOptions) {
  const nodes = builtInNodes(options);
  // Around every node, built-in or replaced: the history, timing and usage records, then the
  // progress events, then the run's settings (kept in the state, for a resume without a context).
  for (const name of Object.keys(nodes) as TpoNodeName[]) {
    nodes[name] = withRunSettings(
      name,
      withProgressEvents(name, withNodeRecords(name, nodes[name], options.prices)),
    );
  }
  // The schema reaches LangGraph (validation, Studio's form) as it is; its static type is widened
  // because LangGraph would otherwise demand every field, defaults included, in each call's context.
  return new StateGraph(TpoState, {
    input: TpoInputSchema,
    context: TpoContextSchema as unknown as AnnotationRoot<StateDefinition>,
  })
    .addNode("generate", nodes.generate)
    .addNode("reward", nodes.reward)
    .addNode("select", nodes.select)
    .addNode("decide", nodes.decide)
    .addNode("critique", nodes.critique)
    .addNode("gradient", nodes.gradient)
    .addNode("update", nodes.update)
    .addNode("finalize", nodes.finalize)
    .addEdge(START, "generate")
    .addEdge("generate", "reward")
    .addEdge("reward", "select")
    .addEdge("select", "decide")
    .addConditionalEdges("decide", routeWithRunSettings(routeAfterDecide), ["critique", "finalize"])
    .addEdge("critique", "gradient")
    .addEdge("gradient", "update")
    .addEdge("update", "reward")
    .addEdge("finalize", END);
}

export type TpoGraphBuilder = ReturnType<typeof createTpoGraphBuilder>;
export type TpoCompileOptions = NonNullable<Parameters<TpoGraphBuilder["compile"]>[0]>;

/**
 * The one way a TPO graph is compiled: named "tpo", with the recursion limit that every allowed
 * depth fits under (callers need not set it), and the run settings checked before a run starts.
 * `options` are LangGraph's compile options: a checkpointer, a store, interrupts.
 */
export function compileTpoGraph(builder: TpoGraphBuilder, options: TpoCompileOptions = {}) {
  const graph = builder.compile({ name: "tpo", ...options });
  const configured = graph.withConfig({ recursionLimit: TPO_RECURSION_LIMIT });
  // LangGraph checks the context against the schema and throws a raw ZodError; parse it ourselves
  // first so that a bad setting fails with a TpoSettingsError that names the field; the steps then
  // read the settings parsed there.
  return checkContextFirst(configured, parseRunSettings);
}

/** The compiled graph of these models (see `compileTpoGraph`), with LangGraph's compile options. */
export function createTpoGraph(options: TpoGraphOptions & TpoCompileOptions) {
  const { policy, critic, rewardModel, nodes, prompts, modelCache, prices, ...compileOptions } = options;
  return compileTpoGraph(
    createTpoGraphBuilder({ policy, critic, rewardModel, nodes, prompts, modelCache, prices }),
    compileOptions,
  );
}

export type TpoGraph = ReturnType<typeof compileTpoGraph>;
