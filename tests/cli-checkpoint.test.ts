import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkCheckpointFile,
  checkpointForgetter,
  openCheckpointer,
  type BatchCheckpointer,
  retryOnLostConnection,
  warnOnLostConnections,
} from "../src/run/checkpoint.js";
import { EventEmitter } from "node:events";
import { isPostgresUrl } from "../src/queue/url.js";
import { TpoCheckpointError, TpoConfigError } from "../src/errors.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An import that fails as Node's does for a package that is not installed. */
function missing(name: string): Promise<never> {
  const error = new Error(`Cannot find package '${name}' imported from /somewhere/checkpoint.js`);
  Object.assign(error, { code: "ERR_MODULE_NOT_FOUND" });
  return Promise.reject(error);
}

describe("--checkpoint targets", () => {
  it("takes postgres:// and postgresql:// URLs for PostgreSQL, anything else for a SQLite file", () => {
    expect(isPostgresUrl("postgres://u@host/db")).toBe(true);
    expect(isPostgresUrl("postgresql://u:p@host:5433/db?sslmode=require")).toBe(true);
    expect(isPostgresUrl("POSTGRES://host/db")).toBe(true);
    expect(isPostgresUrl("checkpoints.sqlite")).toBe(false);
    expect(isPostgresUrl("./postgres/checkpoints.sqlite")).toBe(false);
  });

  it("never shows a password that breaks the URL (a / in it), and says how to write it", async () => {
    for (const url of [
      "postgres://user:se/cret@host/db",
      "postgres://user:1234/cret@host/db",
      "postgresql://user:a?b#c@host:5432/db",
    ]) {
      const error = await openCheckpointer(url, { importModule: missing }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TpoConfigError);
      const message = (error as Error).message;
      expect(message).not.toMatch(/cret|a\?b/);
      expect(message).toMatch(/percent-encode/);
      expect(message).toMatch(/%2F/);
      expect(message).not.toMatch(/server runs/);
    }
  });

  it("opens and closes a SQLite file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tpo-checkpoint-"));
    dirs.push(dir);
    const path = join(dir, "checkpoints.sqlite");
    const checkpointer = await openCheckpointer(path);
    expect(checkpointer.where).toBe(path);
    expect(await checkpointer.saver.getTuple({ configurable: { thread_id: "t" } })).toBeUndefined();
    await checkpointer.close();
    expect(existsSync(path)).toBe(true);
  });

  it("names the package to install when the SQLite saver is missing", async () => {
    const error = await openCheckpointer("run.sqlite", { importModule: missing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TpoConfigError);
    expect((error as Error).message).toContain(
      "--checkpoint run.sqlite needs the package @langchain/langgraph-checkpoint-sqlite",
    );
    expect((error as Error).message).toContain("npm install @langchain/langgraph-checkpoint-sqlite");
  });

  it("names the package to install when the Postgres saver is missing, without the URL's password", async () => {
    const error = await openCheckpointer("postgres://tpo:s3cret@db/runs", { importModule: missing }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TpoConfigError);
    const message = (error as Error).message;
    expect(message).toContain("npm install @langchain/langgraph-checkpoint-postgres");
    expect(message).toContain("postgres://tpo:***@db/runs");
    expect(message).not.toContain("s3cret");
  });

  it("loads a saver's package only when a checkpoint asks for it, and only that one", async () => {
    const loaded: string[] = [];
    const record = (name: string) => {
      loaded.push(name);
      return missing(name);
    };
    await openCheckpointer("a.sqlite", { importModule: record }).catch(() => {});
    await openCheckpointer("postgres://db/runs", { importModule: record }).catch(() => {});
    expect(loaded).toEqual([
      "@langchain/langgraph-checkpoint-sqlite",
      "@langchain/langgraph-checkpoint-postgres",
    ]);
  });

  it("says what is wrong with a SQLite path it cannot open", async () => {
    const error = await openCheckpointer("/no/such/dir/run.sqlite").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TpoConfigError);
    expect((error as Error).message).toMatch(
      /^--checkpoint \/no\/such\/dir\/run\.sqlite: cannot open it as a SQLite file/,
    );
  });
});

describe("a --checkpoint file that is not SQLite", () => {
  it("is a usage error before the saver opens it; an empty or new file is fine", () => {
    const dir = mkdtempSync(join(tmpdir(), "tpo-checkpoint-"));
    dirs.push(dir);
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "my notes\n");
    expect(() => checkCheckpointFile(notes)).toThrow(TpoConfigError);
    expect(() => checkCheckpointFile(notes)).toThrow(/--checkpoint .*notes\.txt is not a SQLite file/);
    expect(() => checkCheckpointFile(dir)).toThrow(/is a directory/);
    const empty = join(dir, "empty.sqlite");
    writeFileSync(empty, "");
    expect(() => checkCheckpointFile(empty)).not.toThrow();
    expect(() => checkCheckpointFile(join(dir, "new.sqlite"))).not.toThrow();
    expect(() => checkCheckpointFile("postgres://u@host/db")).not.toThrow();
  });
});

describe("--checkpoint postgres:// without a server", () => {
  it("fails naming the URL and the refused connection", async () => {
    const error = await openCheckpointer("postgres://tpo:s3cret@localhost:1/runs").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TpoCheckpointError);
    const message = (error as Error).message;
    expect(message).toContain(
      "--checkpoint postgres://tpo:***@localhost:1/runs: cannot set up the checkpoint tables",
    );
    expect(message).toMatch(/ECONNREFUSED (127\.0\.0\.1|::1):1/);
    expect(message).not.toContain("s3cret");
  });
});

describe("a saver whose own dependency is missing", () => {
  it("names what is missing rather than the saver", async () => {
    const error = await openCheckpointer("run.sqlite", {
      importModule: () => missing("better-sqlite3"),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TpoConfigError);
    expect((error as Error).message).toContain("@langchain/langgraph-checkpoint-sqlite cannot load");
    expect((error as Error).message).toContain("Cannot find package 'better-sqlite3'");
  });
});

describe("deleting a finished query's checkpoints", () => {
  it("deletes each thread it is given; a failure is said once, however many follow, and costs nothing else", async () => {
    const deleted: string[] = [];
    let full = false;
    const saver = {
      deleteThread: (thread: string) => {
        if (full) return Promise.reject(new Error("database or disk is full"));
        deleted.push(thread);
        return Promise.resolve();
      },
    };
    const said: string[] = [];
    const forget = checkpointForgetter(
      { saver, where: "c.sqlite" } as unknown as BatchCheckpointer,
      (reason) => said.push(reason),
    );
    await forget("a");
    full = true;
    for (const thread of ["b", "c", "d"]) await expect(forget(thread)).resolves.toBeUndefined();
    expect(deleted).toEqual(["a"]);
    expect(said).toEqual(["database or disk is full"]);
  });
});

describe("a PostgreSQL checkpointer's lost connections", () => {
  it("are heard on a connection the saver holds, not only on idle ones: one warning, no crash", () => {
    const pool = new EventEmitter();
    const warnings: string[] = [];
    warnOnLostConnections({ pool }, "postgres://db", { warn: (line) => warnings.push(line) });
    const held = new EventEmitter();
    pool.emit("connect", held);
    // An "error" nobody listens to throws (in a process: an uncaught exception that ends the batch).
    held.emit("error", new Error("terminating connection due to administrator command"));
    pool.emit("error", new Error("terminating connection due to administrator command"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /connection of --checkpoint postgres:\/\/db was lost \(terminating connection/,
    );
  });
});

/** What node-postgres rejects a query with when the server ends its connection. */
function terminated(): Error {
  return Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
}

describe("a PostgreSQL checkpoint write whose connection is lost", () => {
  /** A saver whose methods fail with `failures` (in order) before they answer. */
  function flakySaver(failures: Error[]) {
    const calls: string[] = [];
    const answer = (name: string) => async () => {
      calls.push(name);
      const failure = failures.shift();
      if (failure) throw failure;
      return name;
    };
    return {
      calls,
      saver: {
        put: answer("put"),
        putWrites: answer("putWrites"),
        getTuple: answer("getTuple"),
        deleteThread: answer("deleteThread"),
      },
    };
  }

  it("is done again on a new connection: the query goes on (a transaction the server ended left nothing)", async () => {
    for (const method of ["put", "putWrites", "getTuple", "deleteThread"] as const) {
      const lostMidWrite = Object.assign(new Error("Connection terminated unexpectedly"), {});
      const { saver, calls } = flakySaver([terminated(), lostMidWrite]);
      retryOnLostConnection(saver);
      await expect((saver[method] as () => Promise<string>)()).resolves.toBe(method);
      expect(calls).toEqual([method, method, method]);
    }
  });

  it("is not done again for any other error, nor forever", async () => {
    const collided = Object.assign(new Error("duplicate key value"), { code: "23505" });
    const once = flakySaver([collided]);
    retryOnLostConnection(once.saver);
    await expect(once.saver.put()).rejects.toBe(collided);
    expect(once.calls).toHaveLength(1);

    const down = flakySaver([terminated(), terminated(), terminated(), terminated(), terminated()]);
    retryOnLostConnection(down.saver);
    await expect(down.saver.put()).rejects.toMatchObject({ code: "57P01" });
    expect(down.calls.length).toBeLessThan(5);
  });
});
