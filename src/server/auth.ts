import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ApiError } from "./http-io.js";

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * Whether the request carries `Authorization: Bearer <apiKey>`. Both sides are hashed first, so
 * that timingSafeEqual compares buffers of equal length and the time taken says nothing about
 * the key, not even its length.
 */
export function hasBearerToken(req: IncomingMessage, apiKey: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return timingSafeEqual(digest(match?.[1] ?? ""), digest(apiKey)) && match !== null;
}

export function requireBearerToken(req: IncomingMessage, apiKey: string | undefined): void {
  if (apiKey === undefined || hasBearerToken(req, apiKey)) return;
  throw new ApiError(
    401,
    req.headers.authorization
      ? "Incorrect API key provided: the bearer token does not match this server's TPO_SERVER_API_KEY."
      : "No API key provided: send the header Authorization: Bearer <key> with this server's TPO_SERVER_API_KEY.",
    "authentication_error",
    null,
    "invalid_api_key",
    // Closed at once: an unauthenticated client may not hold the connection open with a slow body.
    { "www-authenticate": "Bearer", connection: "close" },
  );
}
