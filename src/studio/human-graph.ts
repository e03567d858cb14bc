import { makeHumanRewardNode } from "../nodes/human-reward.js";
import { createTpoGraph } from "../graph/builder.js";
import { studioModels } from "./tpo-graph.js";

/**
 * The graph `tpo-human` of `langgraph.json`: TPO with a person as the reward model. Each reward
 * step interrupts the run; Studio shows the candidates and resumes with the person's judgement.
 * The policy is the environment's, or the simulated world's, as for the `tpo` graph.
 */
export const graph = createTpoGraph({ ...studioModels(), nodes: { reward: makeHumanRewardNode() } });
