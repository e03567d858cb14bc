import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { postgresSaverPool } from "../src/compat/postgres-saver-pool.js";

/**
 * What src/compat/postgres-saver-pool.ts relies on in @langchain/langgraph-checkpoint-postgres: a
 * saver made by `fromConnString` keeps its pg.Pool in `pool`, and uses that pool (ending the saver
 * ends it). No server is needed: a pool connects on first use only. A failure here means that the
 * package changed this internal.
 */
describe("PostgresSaver's pool, as postgresSaverPool reads it", () => {
  it("is the pg.Pool the saver runs on", async () => {
    const saver = PostgresSaver.fromConnString("postgres://tpo:secret@127.0.0.1:1/tpo");
    const pool = postgresSaverPool(saver);
    // pg's Pool: an EventEmitter that connects on demand.
    expect(pool).toBeInstanceOf(EventEmitter);
    expect(typeof (pool as { connect?: unknown }).connect).toBe("function");
    const heard: Error[] = [];
    pool!.on("error", (error) => heard.push(error));
    (pool as EventEmitter).emit("error", new Error("connection lost"));
    expect(heard.map((e) => e.message)).toEqual(["connection lost"]);
    await saver.end();
    expect((pool as { ended?: boolean }).ended).toBe(true);
  });

  it("is undefined for a saver without one", () => {
    expect(postgresSaverPool({})).toBeUndefined();
  });
});
