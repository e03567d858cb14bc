import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openQueue } from "../src/queue/connection.js";
import { ROOT, waitUntil } from "./helpers/cli.js";
import { useQueueWorld } from "./helpers/queue-world.js";

// A real PostgreSQL server on a free port of 127.0.0.1 (Debian's packages, `.ci/run` installs them).
const world = useQueueWorld();
const needServer = world.postgres;

/** A process that opens the queue each time it is sent a URL (tests/helpers/open-queue-child.ts). */
function startOpener(): { child: ChildProcess; answers: string[] } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "tests", "helpers", "open-queue-child.ts")],
    {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const answers: string[] = [];
  let partial = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    answers.push(...lines);
  });
  return { child, answers };
}

const ROUNDS = 8;

describe("opening the queue", () => {
  it("sets up a fresh database once when several machines start at the same moment", async (ctx) => {
    const pg = needServer(ctx);
    // Two connections each, as `tpo queue status` opens it: the setup must not wait on itself.
    for (let round = 0; round < ROUNDS; round++) {
      const database = `fresh_${round}`;
      pg.createDatabase(database);
      const opened = await Promise.allSettled(
        Array.from({ length: 4 }, () =>
          openQueue(pg.url(database), { what: "tpo queue status", poolSize: 2 }),
        ),
      );
      await Promise.all(opened.map((o) => (o.status === "fulfilled" ? o.value.close() : undefined)));
      expect(opened.filter((o) => o.status === "rejected").map((o) => String(o.reason))).toEqual([]);
      expect(pg.query(database, "SELECT count(*) FROM tpo_queue.version").trim()).toBe("1");
      expect(pg.query(database, "SELECT count(*) FROM tpo_pgboss.queue").trim()).toBe("1");
    }
  }, 180_000);

  it("sets up a fresh database once when four processes open it at the same moment", async (ctx) => {
    const pg = needServer(ctx);
    const openers = Array.from({ length: 4 }, startOpener);
    try {
      await waitUntil(
        () => openers.every((o) => o.answers.includes("ready")),
        90_000,
        "four processes ready",
      );
      for (let round = 0; round < ROUNDS; round++) {
        const database = `fresh_processes_${round}`;
        pg.createDatabase(database);
        for (const opener of openers) opener.child.stdin!.write(`${pg.url(database)}\n`);
        const answered = () => openers.every((o) => o.answers.length === round + 2);
        await waitUntil(answered, 90_000, `four processes to open ${database}`);
        expect(openers.map((o) => o.answers.at(-1))).toEqual(["opened", "opened", "opened", "opened"]);
        expect(pg.query(database, "SELECT count(*) FROM tpo_pgboss.queue").trim()).toBe("1");
      }
    } finally {
      for (const opener of openers) opener.child.kill("SIGKILL");
    }
  }, 300_000);
});
