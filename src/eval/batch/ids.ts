import { createHash } from "node:crypto";

/** A stable id for a query without one: a hash of its content, the same on every machine and run. */
export function contentId(content: unknown): string {
  return createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 12);
}
