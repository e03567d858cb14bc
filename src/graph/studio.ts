import { createSimWorld } from "../sim/index.js";
import { createTpoGraph } from "./builder.js";

/** The graph that `langgraph.json` serves: the simulated world until real model settings are given. */
export const graph = createTpoGraph(createSimWorld());
