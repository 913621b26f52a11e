/**
 * A small seeded PRNG (mulberry32): deterministic samples for simulations and bootstraps. Returns [0, 1). Given a
 * one-element Uint32Array as the seed, the generator keeps its state there, so a hot loop can advance the same
 * stream inline (analysis/bootstrap.ts).
 */
export function createRandom(seed: number | Uint32Array): () => number {
  const state = typeof seed === 'number' ? Uint32Array.of(seed >>> 0) : seed;
  return () => {
    const a = (state[0]! + 0x6d2b79f5) >>> 0;
    state[0] = a;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
