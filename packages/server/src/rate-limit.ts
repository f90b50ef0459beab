/** Token bucket: `rate` tokens per second, up to `burst` saved. Time from the injected clock. */
import type { Clock } from './api.js'

export class TokenBucket {
  private tokens: number
  private at: number

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst
    this.at = clock.now()
  }

  /** Takes one token; false when the bucket is empty (the caller is over the rate). */
  take(): boolean {
    const now = this.clock.now()
    const elapsed = Math.max(0, now - this.at)
    this.at = now
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000)
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
