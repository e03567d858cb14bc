import { describe, expect, it } from "vitest";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { TpoQueueError } from "../src/errors.js";
import { jobDataOf, jobIdOf, jobKeyOf } from "../src/queue/job.js";
import { loadQueuePackages } from "../src/queue/packages.js";
import { openQueue } from "../src/queue/connection.js";
import { queueErrorOf } from "../src/queue/errors-of-pg.js";
import { checkQueueUrl } from "../src/queue/url.js";
import { cliErrorOfQueue } from "../src/cli/queue/open.js";
import { failureRecordOf, jobOfQueueData, queueJobOf } from "../src/batch/queue-jobs.js";
import { datasetName } from "../src/cli/batch/batch-flags.js";
import { CliRunError, CliUsageError } from "../src/cli/errors.js";
import { parseTpoContext } from "../src/settings/run-settings.js";

/** An import that fails as Node's does for a package that is not installed. */
function missing(name: string): Promise<never> {
  const error = new Error(`Cannot find package '${name}' imported from /somewhere/packages.js`);
  Object.assign(error, { code: "ERR_MODULE_NOT_FOUND" });
  return Promise.reject(error);
}

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

const settings = parseTpoContext({ width: 2, depth: 1, seed: 3 });
const job = { dataset: "arena", id: "q1", mode: "tpo" as const, input: { query: "Why?" }, settings };

describe("job keys", () => {
  it("are the same for the same data set, query, mode and settings, on any machine", () => {
    expect(jobKeyOf(job)).toBe(
      jobKeyOf({ ...job, settings: parseTpoContext({ seed: 3, depth: 1, width: 2 }) }),
    );
    expect(jobKeyOf(job)).toMatch(/^arena:tpo:q1:[0-9a-f]{16}$/);
  });

  it("differ when the data set, the mode, the id, the query or a setting differs", () => {
    const keys = [
      jobKeyOf(job),
      jobKeyOf({ ...job, dataset: "other" }),
      jobKeyOf({ ...job, mode: "bon" }),
      jobKeyOf({ ...job, id: "q2" }),
      jobKeyOf({ ...job, input: { query: "Why not?" } }),
      jobKeyOf({ ...job, settings: parseTpoContext({ width: 2, depth: 1, seed: 4 }) }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("give pg-boss a UUID of their own, always the same", () => {
    const id = jobIdOf(jobKeyOf(job));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(jobIdOf(jobKeyOf(job))).toBe(id);
    expect(jobIdOf(jobKeyOf({ ...job, id: "q2" }))).not.toBe(id);
  });
});

describe("a job's data", () => {
  it("carries a conversation as turns, and comes back as the batch's job", () => {
    const data = queueJobOf(
      {
        item: {
          id: "c1",
          source: "line 3",
          input: { messages: [new SystemMessage("Be brief."), new HumanMessage("Hello?")] },
        },
        mode: "revision",
        context: settings,
      },
      "chats",
    );
    expect(data.input).toEqual({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello?" },
      ],
    });
    expect(JSON.stringify(data)).not.toMatch(/apiKey|OPENAI|baseUrl/);
    const back = jobOfQueueData(jobDataOf(JSON.parse(JSON.stringify(data)))!);
    expect(back.item.id).toBe("c1");
    expect(back.mode).toBe("revision");
    expect(back.context).toEqual(settings);
    expect((back.item.input as { messages: { text: string }[] }).messages.map((m) => m.text)).toEqual([
      "Be brief.",
      "Hello?",
    ]);
  });

  it("is refused when it is not a job of this version", () => {
    expect(jobDataOf({ key: "k" })).toBeNull();
    expect(jobDataOf(null)).toBeNull();
  });

  it("makes a failure record as a batch's, for a job whose worker vanished on its last attempt", () => {
    const data = queueJobOf(
      { item: { id: "q9", source: "item 9", input: { query: "Hi" } }, mode: "tpo", context: settings },
      "d",
    );
    const record = failureRecordOf(data, "its worker stopped sending heartbeats", { backend: "sim" });
    expect(record).toMatchObject({
      id: "q9",
      mode: "tpo",
      query: "Hi",
      settings,
      models: { backend: "sim" },
      elapsedMs: 0,
      error: { message: "its worker stopped sending heartbeats", source: "item 9" },
    });
  });

  it("names its data set after the input file unless --dataset does", () => {
    expect(datasetName("data/arena-hard.jsonl", undefined)).toBe("arena-hard");
    expect(datasetName("-", undefined)).toBe("stdin");
    expect(datasetName("x.json", " mine ")).toBe("mine");
    expect(() => datasetName("x.json", " ")).toThrow(CliUsageError);
  });
});

describe("opening the queue", () => {
  it("names pg-boss and how to install it when it is missing", async () => {
    const error = await loadQueuePackages("tpo worker", missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TpoQueueError);
    expect((error as TpoQueueError).reason).toBe("package");
    expect((error as Error).message).toContain("tpo worker needs the package pg-boss");
    expect((error as Error).message).toContain("npm install pg-boss@10");
    expect(cliErrorOfQueue(error)).toBeInstanceOf(CliUsageError);
  });

  it("says pg-boss cannot load when something it needs is missing", async () => {
    const error = await loadQueuePackages("tpo worker", () => missing("cron-parser")).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/pg-boss cannot load: .*cron-parser.*Reinstall it/);
  });

  it("checks the URL before loading anything, and never shows its password", async () => {
    const loaded: string[] = [];
    const load = (name: string) => {
      loaded.push(name);
      return missing(name);
    };
    for (const url of [
      "mysql://u:s3cret@host/db",
      "postgres://u:s3cret@",
      "http://u:s3cret@host/db",
      "postgres://u:se/s3cret@127.0.0.1/db",
      "postgres://u:1234/s3cret@127.0.0.1/db",
      "postgresql://u:a?s3cret#c@127.0.0.1:5432/db",
    ]) {
      const error = await openQueue(url, { what: "tpo worker", importModule: load }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(TpoQueueError);
      expect((error as TpoQueueError).reason).toBe("url");
      expect((error as Error).message).not.toContain("s3cret");
    }
    expect(loaded).toEqual([]);
    expect(() => checkQueueUrl("postgresql://u@db.example:5433/runs")).not.toThrow();
    const slash = await openQueue("postgres://u:1234/s3cret@127.0.0.1/db", {
      what: "tpo worker",
      importModule: load,
    }).catch((e: unknown) => e);
    expect((slash as Error).message).toContain("postgres://u:***@127.0.0.1/db");
    expect((slash as Error).message).toContain("%2F");
  });

  it("tells a setting to fix (exit 2) from a server that does not answer (exit 1)", () => {
    const where = "postgres://tpo:***@db/q";
    const cases: [Error, TpoQueueError["reason"], typeof CliUsageError | typeof CliRunError][] = [
      [pgError("28P01", 'password authentication failed for user "tpo"'), "auth", CliUsageError],
      [pgError("3D000", 'database "q" does not exist'), "database", CliUsageError],
      [pgError("42501", "permission denied for database q"), "rights", CliUsageError],
      [pgError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"), "connect", CliRunError],
      [new Error("Connection terminated due to connection timeout"), "connect", CliRunError],
    ];
    for (const [error, reason, cliClass] of cases) {
      const queueError = queueErrorOf(error, where);
      expect(queueError.reason, error.message).toBe(reason);
      expect(queueError.message).toContain(where);
      expect(cliErrorOfQueue(queueError)).toBeInstanceOf(cliClass);
    }
  });
});
