/** Base class of every error the library throws on purpose. */
export class TpoError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The graph input is unusable: no query, or a conversation that does not end with a user turn. */
export class TpoInputError extends TpoError {}

/** A run setting is out of range or of the wrong type; `field` names it. */
export class TpoSettingsError extends TpoError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A reward model returned something other than one finite number per item. */
export class RewardModelError extends TpoError {}

/** The models are not configured, or configured inconsistently. */
export class TpoConfigError extends TpoError {}

/**
 * No judge can be chosen (`tpo compare`, `tpo eval`): `reason` "server-in-file" when only a results
 * file names a server (tpo never sends a request to one), "none" when nothing names a judge.
 * `what` is the message without its way out, for a front end to add its own (its flags).
 */
export class TpoJudgeError extends TpoConfigError {
  constructor(
    readonly reason: "server-in-file" | "none",
    readonly what: string,
    fix: string,
  ) {
    super(`${what}${fix}`);
  }
}

/** An HTTP request failed for good: a status that is not worth retrying, or the retries ran out. */
export class HttpRequestError extends TpoError {
  constructor(
    /** What went wrong, without the URL: "HTTP 503: <body> (after 4 attempts)". */
    readonly detail: string,
    readonly url: string,
    /** The last HTTP status, or undefined when no response arrived (timeout, connection error). */
    readonly status: number | undefined,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`The request to ${url} failed: ${detail}`, options);
  }
}

/** A reward-model server failed, or answered in a shape its kind does not have. */
export class RewardRequestError extends RewardModelError {
  constructor(
    message: string,
    readonly kind: string,
    readonly url: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A reward server answered with several labels per item (a classifier's classes, a multi-head
 * reward) and no label index was set, or with fewer labels than the index needs. A setting to fix,
 * so a configuration error; the message names the setting.
 */
export class RewardLabelError extends TpoConfigError {
  constructor(
    message: string,
    readonly kind: string,
    readonly url: string,
    /** Labels per item in the server's answer. */
    readonly labels: number,
  ) {
    super(message);
  }
}

/**
 * A policy or critic request failed for good: retries ran out, or the failure was not worth
 * retrying. `endpoint` is the URL, `status` the last HTTP status (undefined for a timeout or a
 * connection error).
 */
export class ModelRequestError extends TpoError {
  constructor(
    message: string,
    readonly endpoint: string,
    readonly status?: number,
    readonly attempts = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A step of a run failed: `step` names the graph node (null when unknown), `cause` holds the
 * original error (a model request that failed for good, a bad reward, an abort).
 */
export class TpoStepError extends TpoError {
  constructor(
    readonly step: string | null,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** A feature TPO does not offer, such as tool calling on TpoChatModel; the message says what to use instead. */
export class TpoUnsupportedError extends TpoError {}

/**
 * The persistent cache (`--cache`) cannot be opened: its package is missing, or the file or
 * database is not a cache (a corrupt file, another program's file, a newer format). A setting to
 * fix, so a configuration error; the message says what the target is and what to name instead.
 * Once a cache is open, nothing it does fails a run: a failed lookup is a miss.
 */
export class TpoCacheError extends TpoConfigError {}

/**
 * The job queue's database cannot be used. `reason` says why, so that a front end can tell a
 * setting to fix from a server that is down: `package` (pg-boss is not installed), `url` (not a
 * PostgreSQL URL), `auth` (user or password refused), `database` (no such database), `rights` (the
 * user may not create or use the queue's tables), `connect` (no server answered), `schema` (the
 * tables were made by a newer version, or setting them up failed). Messages never carry a password.
 */
export class TpoQueueError extends TpoError {
  constructor(
    message: string,
    readonly reason: "package" | "url" | "auth" | "database" | "rights" | "connect" | "schema",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The checkpoint database of `--checkpoint postgres://…` cannot be set up (no server answered, or
 * the user may not create its tables): a run failure, where a target that is no checkpoint store
 * is a TpoConfigError. The message names the target, never its password.
 */
export class TpoCheckpointError extends TpoError {}

/**
 * LangSmith refused an upload (`reason`: "answered 401 Unauthorized"), or did not answer it
 * ("connection refused", "no answer within 10 s"). What was uploaded before stays there.
 */
export class TpoLangSmithError extends TpoError {
  constructor(readonly reason: string) {
    super(`LangSmith ${reason}`);
  }
}

/**
 * A file cannot be used as asked: not found, a folder, a line longer than the limit, no records,
 * or records of something else (a results file of another command, a comparison of other sides).
 * The message names the file, or the argument that named it, and what to do.
 */
export class TpoFileError extends TpoError {}

/**
 * Writing a results file failed in the middle of a batch (a full disk, a file taken away): the
 * queries in flight were stopped and no more were started; the records written before stay.
 * `path` names the file; the cause is the write's own error.
 */
export class TpoWriteError extends TpoError {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`writing ${path} failed (${(cause as Error)?.message ?? String(cause)})`, { cause });
  }
}
