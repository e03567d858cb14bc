/**
 * `PostgresSaver.fromConnString` keeps the pg connection pool it opens in the private `pool` of
 * the saver (@langchain/langgraph-checkpoint-postgres), and offers no other way to reach it: its
 * "error" event (an idle connection lost) must be heard, or it crashes the process.
 *
 * Pinned by tests/compat-postgres-saver-pool.test.ts.
 */
export interface PoolErrors {
  on(event: "error", listener: (error: Error) => void): unknown;
  /** Each new connection: a checked-out one that loses its server emits "error" itself, unheard by the pool. */
  on(
    event: "connect",
    listener: (client: { on(event: "error", listener: (error: Error) => void): unknown }) => void,
  ): unknown;
}

/** The connection pool of a PostgresSaver; undefined when the saver keeps none where expected. */
export function postgresSaverPool(saver: object): PoolErrors | undefined {
  const pool = (saver as { pool?: Partial<PoolErrors> }).pool;
  return typeof pool?.on === "function" ? (pool as PoolErrors) : undefined;
}
