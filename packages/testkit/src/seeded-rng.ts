/**
 * A small seeded PRNG (mulberry32) so fault schedules — jitter, mask keys — replay exactly from a
 * seed. Not for cryptography.
 *
 * @example
 * const a = seededRandom(42)
 * const b = seededRandom(42)
 * a() === b() // true: same seed, same sequence, values in [0, 1)
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
