/**
 * A small seeded generator (mulberry32) for the bootstrap, so that an interval is the same on every
 * run with the same seed. It is not numpy's Mersenne Twister: our intervals cannot equal the
 * official tools' draw for draw, only in distribution (docs/evaluation.md says how close they come).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function randomIndex(random: () => number, n: number): number {
  return Math.floor(random() * n);
}
