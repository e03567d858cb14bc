import type { IncomingMessage, ServerResponse } from "node:http";
import { readRequestBody, RequestBodyTooLargeError } from "../http/request-body.js";

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

/** The request's body, up to `limit` bytes; past it, a 413 in OpenAI's format. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  try {
    return await readRequestBody(req, limit);
  } catch (error) {
    if (!(error instanceof RequestBodyTooLargeError)) throw error;
    throw new ApiError(
      413,
      `The request body is larger than the server's limit of ${limit} bytes; send fewer or shorter messages.`,
      "invalid_request_error",
      null,
      "request_too_large",
    );
  }
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
