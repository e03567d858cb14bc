// Mean best reward per mode over 50 simulated queries, at the same candidate budget (20).
// Run: npx tsx examples/sim-modes.ts
// The simulated world shows the mechanics of TPO; these numbers say nothing about real models.
import { createSimWorld, createTpoGraph, type TpoNode } from "langgraph-tpo";

const queries = Array.from(
  { length: 50 },
  (_, i) => `Simulated question ${i}: how should I approach problem number ${i * 7 + 3}?`,
);
const ignoringGradient: TpoNode = () => ({ gradientText: "Make the response better." });

const runs = [
  { label: "tpo, N=5, D=3", context: { width: 5, depth: 3, mode: "tpo" } },
  { label: "revision, N=5, D=3", context: { width: 5, depth: 3, mode: "revision" } },
  {
    label: "tpo with a gradient that ignores the critique",
    context: { width: 5, depth: 3 },
    nodes: { gradient: ignoringGradient },
  },
  { label: "best-of-N, N=20", context: { width: 20, depth: 0, mode: "bon" } },
];

for (const run of runs) {
  const graph = createTpoGraph({ ...createSimWorld(3), nodes: run.nodes });
  let total = 0;
  for (const [i, query] of queries.entries()) {
    total += (await graph.invoke({ query }, { context: { seed: 100 + i, ...run.context } })).best!.score;
  }
  console.log(`${run.label.padEnd(48)} simulated mean best reward ${(total / queries.length).toFixed(2)}`);
}
