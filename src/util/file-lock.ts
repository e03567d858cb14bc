import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { TpoFileError } from "../errors.js";
import { realPath } from "./real-path.js";

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** The command that holds it: "tpo batch", "tpo compare". */
  command?: string;
}

function holderOf(path: string): LockHolder | null {
  try {
    const value = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    if (typeof value.pid !== "number" || typeof value.host !== "string") return null;
    return {
      pid: value.pid,
      host: value.host,
      startedAt: String(value.startedAt ?? "?"),
      ...(typeof value.command === "string" ? { command: value.command } : {}),
    };
  } catch {
    return null; // gone meanwhile, or written half by a process that died at once
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // it exists, as another user's
  }
}

/** Creates the lock file, or returns false when it exists. */
function create(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes a dead holder's lock, unless someone replaced it meanwhile: the lock is moved aside
 * first (one process wins the move), and put back when it turns out to be a live holder's.
 */
function removeStale(path: string, stale: LockHolder): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // another successor moved it first
  }
  const moved = holderOf(aside);
  if (moved && (moved.pid !== stale.pid || moved.startedAt !== stale.startedAt)) {
    try {
      linkSync(aside, path); // a live holder's lock: back where it was, unless a new one is there
    } catch {
      // A newer lock took its place.
    }
  }
  unlinkSync(aside);
}

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Takes `<out>.lock` for this process, so that two runs never write (and pay for) the same
 * results: the lock file holds the PID and host of its holder, and the command it runs. It sits
 * beside the real file (symlinks resolved), so that two paths of one file share one lock. A lock
 * whose process is gone (on this host) is taken over; a live holder's is a TpoFileError naming it. The lock is released
 * when the process exits, and on SIGINT, SIGTERM and SIGHUP; the returned function releases it at once.
 */
export function lockFile(out: string, command: string): () => void {
  const path = `${realPath(out)}.lock`;
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command,
  };
  let held = false;
  let listening = true;
  const release = () => {
    if (!listening) return;
    listening = false;
    process.off("exit", release);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    if (!held) return;
    try {
      if (holderOf(path)?.pid === me.pid) unlinkSync(path);
    } catch {
      // Gone already.
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    process.kill(process.pid, signal); // the default action, now that no handler is left
  };
  // Listen before the lock file exists: a signal that comes the moment it is written (another
  // process can read it at once) must find the handler that removes it.
  process.on("exit", release);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  try {
    for (let attempt = 0; !(held = create(path, me)); attempt++) {
      const holder = holderOf(path);
      const stale = holder !== null && holder.host === me.host && !alive(holder.pid);
      if (attempt >= 2 || (holder !== null && !stale)) {
        throw new TpoFileError(
          holder
            ? `${out} is being written by another ${holder.command ?? "tpo process"} (PID ${holder.pid} on ${holder.host}, since ` +
                `${holder.startedAt}); wait for it to finish, or delete ${path} if that process is gone.`
            : `${out} is locked by ${path}, which cannot be read; delete it if no tpo process is writing ${out}.`,
        );
      }
      if (stale) removeStale(path, holder); // its process is gone: a crash, or SIGKILL
    }
  } catch (error) {
    release();
    throw error;
  }
  return release;
}
