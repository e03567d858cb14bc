import { hash32 } from "./random.js";

/** A message as the prefix cache reads it: its role and its text. */
export interface CacheMessage {
  role: string;
  text: string;
}

/** The most prefixes the cache holds before it is emptied, as a full KV cache evicts. */
const DEFAULT_CAPACITY = 2_000_000;

/**
 * The simulated server's prefix cache, after vLLM's and SGLang's automatic prefix caching: a
 * request's prompt is the sequence of its messages, each a role marker followed by its words (the
 * simulated world's tokens), and its cached tokens are the words of the longest prefix that an
 * earlier request shared. Prefixes are kept as chained hashes, one per token.
 */
export class SimPrefixCache {
  private readonly seen = new Set<number>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** Records the prompt and returns how many of its prompt tokens an earlier prompt began with. */
  lookup(messages: readonly CacheMessage[]): number {
    // Two FNV chains, each a bijection of the state before it for a given token, so that two
    // different prefixes never merge into one state; together a 52-bit key.
    let a = 0x811c9dc5;
    let b = 0x9e3779b9;
    let matching = true;
    let cached = 0;
    const added: number[] = [];
    for (const message of messages) {
      const tokens = [`<|${message.role}|>`, ...message.text.split(/\s+/).filter(Boolean)];
      for (const [i, token] of tokens.entries()) {
        a = hash32(token, a);
        b = hash32(token, b);
        const chain = a * 0x100000 + (b & 0xfffff);
        if (matching && this.seen.has(chain)) {
          if (i > 0) cached++;
          continue;
        }
        matching = false;
        added.push(chain);
      }
    }
    if (this.seen.size + added.length > this.capacity) this.seen.clear();
    for (const prefix of added) this.seen.add(prefix);
    return cached;
  }
}
