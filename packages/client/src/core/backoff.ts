/** Reconnect delays: full jitter above a floor (AWS "Exponential Backoff and Jitter"). */
export interface BackoffOptions {
  /** Smallest delay and the base of the exponent, ms. Default 500. */
  min?: number
  /** Largest delay, ms. Default 20000. */
  max?: number
  /** Uniform random in [0, 1). Default Math.random (read at call time, never at import). */
  random?: () => number
}

/**
 * Delay before retry number `attempt` (0 for the first retry after a drop): uniform in
 * [min, min(max, min * 2^(attempt+1))]. Jitter from the first retry on, so clients dropped
 * together by a crashed server do not come back together (features.md §3.10).
 *
 * @example
 * backoffDelay(0, { random: () => 0.5 }) // 750: halfway between 500 and 1000
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const min = options.min ?? 500
  const max = Math.max(min, options.max ?? 20_000)
  const ceiling = Math.min(max, min * 2 ** Math.min(attempt + 1, 30))
  return Math.round(min + (options.random ?? Math.random)() * (ceiling - min))
}
