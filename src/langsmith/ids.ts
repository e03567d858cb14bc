import { createHash } from "node:crypto";

/**
 * A UUID that is the same for the same namespace and name (version 5's layout, SHA-1): an
 * example's id from its dataset and query id, so that uploading a dataset again adds nothing.
 */
export function stableUuid(namespace: string, name: string): string {
  const bytes = createHash("sha1").update(`${namespace}\u0000${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
