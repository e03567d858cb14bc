import { createHash } from "node:crypto";

/**
 * CPython's `random.Random(seed)` for a string seed, far enough to draw from it: the seed becomes
 * the integer of its UTF-8 bytes followed by their SHA-512 digest (big-endian, `random.seed`
 * version 2), cut into 32-bit words from the least significant up, which seed the Mersenne
 * Twister through `init_by_array` (Modules/_randommodule.c). `random()` is `genrand_res53`.
 */
export function pythonRandom(seed: string): () => number {
  const utf8 = Buffer.from(seed, "utf8");
  const bytes = Buffer.concat([utf8, createHash("sha512").update(utf8).digest()]);
  const key: number[] = [];
  for (let end = bytes.length; end > 0; end -= 4) {
    let word = 0;
    for (let i = Math.max(0, end - 4); i < end; i++) word = ((word << 8) | bytes[i]!) >>> 0;
    key.push(word);
  }
  while (key.length > 1 && key[key.length - 1] === 0) key.pop(); // the integer's leading zero bytes
  const next = mersenneTwister(key);
  return () => {
    const a = next() >>> 5;
    const b = next() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  };
}

/** MT19937 seeded by `init_by_array(key)`; returns its 32-bit outputs. */
function mersenneTwister(key: readonly number[]): () => number {
  const N = 624;
  const M = 397;
  const mt = new Uint32Array(N);
  mt[0] = 19650218;
  for (let i = 1; i < N; i++) mt[i] = Math.imul(1812433253, mt[i - 1]! ^ (mt[i - 1]! >>> 30)) + i;
  let i = 1;
  let j = 0;
  for (let k = Math.max(N, key.length); k > 0; k--) {
    mt[i] = (mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1664525)) + key[j]! + j;
    i++;
    j++;
    if (i >= N) {
      mt[0] = mt[N - 1]!;
      i = 1;
    }
    if (j >= key.length) j = 0;
  }
  for (let k = N - 1; k > 0; k--) {
    mt[i] = (mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1566083941)) - i;
    i++;
    if (i >= N) {
      mt[0] = mt[N - 1]!;
      i = 1;
    }
  }
  mt[0] = 0x80000000;
  let index = N;
  return () => {
    if (index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
        mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      index = 0;
    }
    let y = mt[index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
}

/**
 * Whether alpaca_eval shows an instruction's two outputs swapped (the model's first): its
 * RandomSwitchTwoColumnsProcessor draws `random.Random("is_switched_outputs" + instruction +
 * str(seed)).choices([False, True])` with the annotator's seed, 0 by default.
 */
export function alpacaEvalSwitches(instruction: string, seed = 0): boolean {
  return Math.floor(pythonRandom(`is_switched_outputs${instruction}${seed}`)() * 2) === 1;
}
