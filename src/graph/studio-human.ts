import { makeHumanRewardNode } from "../nodes/human-reward.js";
import { createSimWorld } from "../sim/index.js";
import { createTpoGraph } from "./builder.js";

/**
 * The graph `tpo-human` of `langgraph.json`: TPO with a person as the reward model. Each reward
 * step interrupts the run; Studio shows the candidates and resumes with the person's judgement.
 * The policy is the simulated world's, like the `tpo` graph's until real model settings are given.
 */
export const graph = createTpoGraph({ ...createSimWorld(), nodes: { reward: makeHumanRewardNode() } });
