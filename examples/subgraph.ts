/**
 * TPO as a node of a parent graph built on MessagesAnnotation, in the simulated world.
 * Run: npx tsx examples/subgraph.ts
 * (Simulated models show the mechanics of TPO; their scores say nothing about real models.)
 */
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { createSimWorld, createTpoNode, tpoMetadataOf } from "langgraph-tpo";

const parent = new StateGraph(MessagesAnnotation)
  .addNode("answer", createTpoNode({ ...createSimWorld(), settings: { width: 4, depth: 2 } }))
  .addEdge(START, "answer")
  .addEdge("answer", END)
  .compile();

const input = {
  messages: [
    new SystemMessage("Answer like a patient carpenter."),
    new HumanMessage("How do I take care of a wooden table?"),
  ],
};

// subgraphs: true shows TPO's own steps under the parent's "answer" node.
for await (const [namespace, update] of await parent.stream(input, {
  streamMode: "updates",
  subgraphs: true,
})) {
  const where = namespace.length > 0 ? `  ${namespace.join(" > ")}` : "parent";
  console.log(`${where}: ${Object.keys(update).join(", ")}`);
}

const state = await parent.invoke(input);
const answer = state.messages.at(-1)!;
console.log(
  `\n${state.messages.length} messages; the last is TPO's answer (simulated score ${tpoMetadataOf(answer)!.tpo_score.toFixed(2)}):`,
);
console.log(answer.content);
