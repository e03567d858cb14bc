import type { IncomingMessage, ServerResponse } from "node:http";

/** OpenAI's error types, as clients switch on them. */
export type ApiErrorType =
  "invalid_request_error" | "authentication_error" | "rate_limit_error" | "server_error";

/** An error answered in OpenAI's format: `{ error: { message, type, param, code } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ApiErrorType = "invalid_request_error",
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  toJSON() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) return;
  sendJson(res, error.status, error.toJSON(), error.headers);
}

function tooLarge(limit: number): ApiError {
  return new ApiError(
    413,
    `The request body is larger than the server's limit of ${limit} bytes; send fewer or shorter messages.`,
    "invalid_request_error",
    null,
    "request_too_large",
  );
}

/**
 * Reads the body up to `limit` bytes. Past it, the rest is drained unread (so that the client
 * can finish sending and read the 413) while the error is answered at once.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new ApiError(
      400,
      `We could not parse the JSON body of your request (${(error as Error).message}). ` +
        "Send a JSON object with Content-Type: application/json.",
      "invalid_request_error",
      null,
      "invalid_json",
    );
  }
}
