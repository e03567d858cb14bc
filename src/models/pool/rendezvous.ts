/**
 * A 53-bit hash of a string (cyrb53: two 32-bit multiply-xorshift lanes with a final avalanche),
 * fast and well mixed enough to rank a handful of servers per request.
 */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The weight of server `id` for `key`: the server with the highest weight serves the key. */
export function rendezvousWeight(key: string, id: string): number {
  return hash53(`${key}\u0000${id}`);
}

/**
 * The servers in the order a key tries them, by rendezvous (highest-random-weight) hashing: the
 * first serves the key, the next takes over when it is down. Each server's weight depends on the
 * key and that server alone, so adding a server takes over only the keys it now wins, and removing
 * one moves only its own keys, each to its next server.
 */
export function rendezvousOrder<T>(key: string, items: readonly T[], idOf: (item: T) => string): T[] {
  return items
    .map((item, index) => ({ item, index, weight: rendezvousWeight(key, idOf(item)) }))
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map(({ item }) => item);
}
