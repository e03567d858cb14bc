/**
 * TPO as a LangChain chat model, in the simulated world: invoke, a chain, batch and stream.
 * Run: npx tsx examples/chat-model.ts
 * (Simulated models show the mechanics of TPO; their scores say nothing about real models.)
 */
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { TpoChatModel, createSimWorld, tpoMetadataOf } from "langgraph-tpo";

const model = new TpoChatModel({ ...createSimWorld(), settings: { width: 4, depth: 2 } });

const answer = await model.invoke("How do I take care of a wooden table?");
const { tpo_score, tpo_iteration, tpo_history } = tpoMetadataOf(answer)!;
console.log(
  `best of ${tpo_history.length} iterations: simulated score ${tpo_score.toFixed(2)}, from iteration ${tpo_iteration}`,
);
console.log(`usage over the whole run: ${JSON.stringify(answer.usage_metadata)}`);
console.log(answer.content);

const chain = ChatPromptTemplate.fromMessages([
  ["system", "You are a patient teacher."],
  ["human", "Explain {topic} to a beginner."],
]).pipe(model);
console.log(`\nchain: ${(await chain.invoke({ topic: "compound interest" })).content}`);

const answers = await model.batch(["Why is the sky blue?", "How do tides work?", "What is a mortgage?"], {
  maxConcurrency: 2,
});
console.log(`\nbatch: ${answers.map((a) => tpoMetadataOf(a)!.tpo_score.toFixed(2)).join(", ")}`);

// stream yields the final answer once TPO has chosen it: one chunk, never a draft.
for await (const chunk of await model.stream("How do I learn to juggle?"))
  console.log(`\nstream: ${chunk.content}`);
