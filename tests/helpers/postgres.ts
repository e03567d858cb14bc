import { execFileSync, spawnSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/**
 * A throwaway PostgreSQL server for a test: a fresh cluster in a temporary directory, listening on
 * a free port of 127.0.0.1 only, with trust authentication for one user. Debian's `postgresql`
 * package provides the programs (`.ci/run` installs it); `stop()` shuts the server down and
 * removes its directory.
 */
export interface PostgresServer {
  port: number;
  /** The server's log (what pg_ctl -l writes): for the statement durations of log_min_duration_statement. */
  logFile: string;
  /** A `postgres://` URL of `database` on this server. */
  url(database: string): string;
  /** Runs SQL through psql and returns its unaligned, tuples-only output. */
  query(database: string, sql: string): string;
  createDatabase(name: string): void;
  /**
   * Adds a login role that must give `password` over TCP (the others keep trust authentication):
   * for tests of a refused login.
   */
  addPasswordUser(user: string, password: string): void;
  /** Stops the server and keeps its data, for `start()` again on the same port: a database that goes away and comes back. */
  halt(): void;
  start(): void;
  stop(): void;
}

const USER = "tpo";
const SERVER_PROGRAMS = ["initdb", "pg_ctl", "postgres"];

function onPath(program: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, program))) return dir;
  }
  return null;
}

/** The directory that holds initdb, pg_ctl and postgres: on PATH, or Debian's /usr/lib/postgresql/<version>/bin. */
function serverBinDir(): string | null {
  const hasAll = (dir: string) => SERVER_PROGRAMS.every((p) => existsSync(join(dir, p)));
  const fromPath = onPath("initdb");
  if (fromPath && hasAll(fromPath)) return fromPath;
  const debian = "/usr/lib/postgresql";
  if (!existsSync(debian)) return null;
  const versions = readdirSync(debian)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = join(debian, version, "bin");
    if (hasAll(dir)) return dir;
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's `postgres` user. */
function serverAccount(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

function runServerProgram(
  binDir: string,
  asPostgres: boolean,
  program: string,
  args: string[],
): { ok: boolean; output: string } {
  const path = join(binDir, program);
  const [command, commandArgs] = asPostgres
    ? ["runuser", ["-u", "postgres", "--", path, ...args]]
    : [path, args];
  const result = spawnSync(command, commandArgs, { encoding: "utf8", timeout: 60_000 });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`;
  return { ok: result.status === 0, output };
}

/**
 * Starts a server, or says why it cannot: the reason names what is missing. Under CI the
 * caller should fail on that reason rather than skip, since `.ci/run` installs PostgreSQL.
 */
export async function startPostgres(): Promise<PostgresServer | { unavailable: string }> {
  const binDir = serverBinDir();
  if (!binDir) {
    return {
      unavailable:
        "no PostgreSQL server programs (initdb, pg_ctl, postgres) on PATH or in /usr/lib/postgresql/*/bin; " +
        "install Debian's postgresql package (`apt-get install postgresql`) to run this test",
    };
  }
  const psqlDir = existsSync(join(binDir, "psql")) ? binDir : onPath("psql");
  if (!psqlDir) return { unavailable: "psql is missing; install Debian's postgresql-client package" };
  const psql = join(psqlDir, "psql");

  let account: { uid: number; gid: number } | null;
  try {
    account = serverAccount();
  } catch {
    return { unavailable: "running as root, and there is no `postgres` user to run the server as" };
  }
  const dir = mkdtempSync(join(tmpdir(), "tpo-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  if (account) chownSync(dir, account.uid, account.gid);
  const asPostgres = account !== null;

  const init = runServerProgram(binDir, asPostgres, "initdb", [
    "-D",
    data,
    "-U",
    USER,
    "--auth=trust",
    "--no-sync",
    "--no-locale",
    "-E",
    "UTF8",
  ]);
  if (!init.ok) {
    cleanUp();
    return { unavailable: `initdb failed: ${init.output.trim()}` };
  }
  const port = await freePort();
  // TCP on 127.0.0.1 only; the Unix socket in the cluster's own directory; no fsync, it is thrown away.
  const serverOptions = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off`;
  const startServer = () =>
    runServerProgram(binDir, asPostgres, "pg_ctl", [
      "-D",
      data,
      "-l",
      log,
      "-o",
      serverOptions,
      "-w",
      "-t",
      "60",
      "start",
    ]);
  const start = startServer();
  if (!start.ok) {
    const serverLog = existsSync(log) ? readFileSync(log, "utf8").trim() : "";
    cleanUp();
    return { unavailable: `the server did not start: ${start.output.trim()} ${serverLog}`.trim() };
  }

  const query = (database: string, sql: string) =>
    execFileSync(
      psql,
      [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        USER,
        "-d",
        database,
        "-X",
        "-A",
        "-t",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        sql,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 },
    );
  const addPasswordUser = (user: string, password: string) => {
    query("postgres", `CREATE ROLE "${user}" LOGIN PASSWORD '${password}'`);
    const hba = join(data, "pg_hba.conf");
    const rules = readFileSync(hba, "utf8");
    // The first matching line wins: this one goes before the trust lines.
    writeFileSync(hba, `host all ${user} 127.0.0.1/32 scram-sha-256\n${rules}`);
    query("postgres", "SELECT pg_reload_conf()");
  };
  return {
    port,
    logFile: log,
    url: (database) => `postgres://${USER}@127.0.0.1:${port}/${database}`,
    query,
    createDatabase: (name) => void query("postgres", `CREATE DATABASE "${name}"`),
    addPasswordUser,
    halt: () => {
      const halted = runServerProgram(binDir, asPostgres, "pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      if (!halted.ok) throw new Error(`pg_ctl stop failed: ${halted.output.trim()}`);
    },
    start: () => {
      const started = startServer();
      if (!started.ok) throw new Error(`pg_ctl start failed: ${started.output.trim()}`);
    },
    stop: () => {
      runServerProgram(binDir, asPostgres, "pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      cleanUp();
    },
  };
}
