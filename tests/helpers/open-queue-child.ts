// Test-only: a process that opens the queue when told. `node --import tsx open-queue-child.ts`
// prints "ready", then for each line "URL" on stdin opens the queue at URL, closes it and prints
// "opened" or "failed: <message>" on one line. Several of these, told at the same moment, are
// several machines starting against one database.
import { createInterface } from "node:readline";
import { openQueue } from "../../src/queue/connection.js";

const lines = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
for await (const url of lines) {
  try {
    const queue = await openQueue(url, { what: "tpo queue status", poolSize: 2 });
    await queue.close();
    process.stdout.write("opened\n");
  } catch (error) {
    process.stdout.write(`failed: ${String(error).replace(/\n/g, " ")}\n`);
  }
}
