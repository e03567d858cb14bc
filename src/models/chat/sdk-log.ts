import { formatWithOptions } from "node:util";
import { redactUrls } from "../../util/redact.js";

/** The OpenAI SDK's `logger` option (ClientOptions.logger): one method per level. */
export interface SdkLogger {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

/** Fields whose value is a credential, wherever they are in what the SDK logs. */
const SECRET_FIELD =
  /^(api[-_]?key|admin[-_]?api[-_]?key|x-api-key|authorization|proxy-authorization|cookie|set-cookie|password|webhook[-_]?secret|.*[-_]token|token)$/i;

/** OpenAI's key format, in case one shows up in free text. */
const OPENAI_KEY = /\bsk-[A-Za-z0-9_-]{6,}/g;

/** A copy of what is logged with every credential field's value replaced (objects, arrays, Headers). */
function withoutSecrets(value: unknown, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  if (value instanceof Headers) return withoutSecrets(Object.fromEntries(value), seen);
  if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, seen));
  if (value instanceof Error) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, field]) => [
      name,
      SECRET_FIELD.test(name) && field !== undefined && field !== null ? "***" : withoutSecrets(field, seen),
    ]),
  );
}

/**
 * A logger for the OpenAI SDK that writes to standard error, never standard output, with keys
 * hidden. The SDK logs to the console by default, debug and info lines on standard output (where
 * `tpo run` writes its answer and `tpo mcp` its protocol), and at OPENAI_LOG=debug each request's
 * options, `apiKey` included. Whether it logs at all stays the user's choice (OPENAI_LOG, the
 * logLevel option); `secrets` are also hidden wherever they appear in the text.
 */
export function stderrSdkLogger(secrets: readonly unknown[] = []): SdkLogger {
  const known = secrets.filter(
    (secret): secret is string => typeof secret === "string" && secret.length >= 4,
  );
  const write = (args: unknown[]) => {
    let line = redactUrls(
      formatWithOptions({ depth: 6, colors: false }, ...args.map((a) => withoutSecrets(a))),
    );
    for (const secret of known) line = line.split(secret).join("***");
    process.stderr.write(`${line.replace(OPENAI_KEY, "sk-***")}\n`);
  };
  return {
    error: (...a) => write(a),
    warn: (...a) => write(a),
    info: (...a) => write(a),
    debug: (...a) => write(a),
  };
}
