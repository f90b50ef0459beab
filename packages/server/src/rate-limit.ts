/**
 * Token bucket: `rate` tokens per second, up to `burst` saved. Time from the injected clock.
 * The state lives on its owner (a connection) rather than in an object of its own: one object
 * less per connection (64 bytes of the 6.6 KiB heap per idle connection, bench/analysis.md).
 */
export interface BucketState {
  tokens: number
  tokensAt: number
}

/** Takes one token; false when the bucket is empty (the caller is over the rate). */
export function takeToken(state: BucketState, rate: number, burst: number, now: number): boolean {
  const elapsed = Math.max(0, now - state.tokensAt)
  state.tokensAt = now
  state.tokens = Math.min(burst, state.tokens + (elapsed * rate) / 1000)
  if (state.tokens < 1) return false
  state.tokens -= 1
  return true
}
