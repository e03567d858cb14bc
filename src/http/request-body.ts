import type { IncomingMessage } from "node:http";

/** A request body past the server's limit; the rest of it is drained unread. */
export class RequestBodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than the server's limit of ${limit} bytes.`);
    this.name = "RequestBodyTooLargeError";
  }
}

/**
 * Reads a request's body up to `limit` bytes. Past it (or when Content-Length says it will be),
 * the rest is drained unread, so that the client can finish sending and read the answer, and a
 * RequestBodyTooLargeError is thrown at once.
 */
export async function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new RequestBodyTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new RequestBodyTooLargeError(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
