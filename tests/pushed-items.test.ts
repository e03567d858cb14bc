import { describe, expect, it } from "vitest";
import { pushedItems } from "../src/util/pushed-items.js";

describe("pushedItems", () => {
  it("yields what was pushed before and while the consumer waits, in order, then ends", async () => {
    let push!: (item: number) => void;
    let finish!: (value: string) => void;
    const { items, done } = pushedItems<number, string>(
      (p) => {
        push = p;
        p(1);
        return new Promise<string>((resolve) => (finish = resolve));
      },
      { rethrow: true },
    );
    const seen: number[] = [];
    const consumed = (async () => {
      for await (const item of items) {
        seen.push(item);
        if (item === 1) push(2); // pushed while the consumer is inside the loop
        if (item === 2) setImmediate(() => (push(3), finish("end")));
      }
    })();
    await consumed;
    expect(seen).toEqual([1, 2, 3]);
    await expect(done).resolves.toBe("end");
  });

  it("hands items pushed before a failure out first, then throws it when asked to", async () => {
    const failing = () =>
      pushedItems<string, void>(
        async (push) => {
          push("a");
          await Promise.resolve();
          push("b");
          throw new Error("broken");
        },
        { rethrow: true },
      );
    const seen: string[] = [];
    const run = failing();
    await expect(
      (async () => {
        for await (const item of run.items) seen.push(item);
      })(),
    ).rejects.toThrow("broken");
    expect(seen).toEqual(["a", "b"]);
    await expect(run.done).rejects.toThrow("broken");
  });

  it("without rethrow ends quietly on a failure, which only `done` reports", async () => {
    const { items, done } = pushedItems<string, void>(
      async (push) => {
        push("a");
        throw new Error("broken");
      },
      { rethrow: false },
    );
    const seen: string[] = [];
    for await (const item of items) seen.push(item);
    expect(seen).toEqual(["a"]);
    await expect(done).rejects.toThrow("broken");
  });
});
