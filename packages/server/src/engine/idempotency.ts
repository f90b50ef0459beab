/**
 * Remembers publish results by idempotency key for a window (G4 HTTP `Idempotency-Key`, G5
 * client message ids). Bounded: past `maxKeys` the oldest keys are forgotten first, and expired
 * keys are swept as new ones arrive, so a flood of unique keys cannot grow memory without limit.
 */
import type { Clock } from '../api.js'
import type { PublishResult } from './types.js'

interface Entry {
  result: PublishResult
  expiresAt: number
}

export class IdempotencyStore {
  // Map iteration order is insertion order: the first entries are the oldest.
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  get size(): number {
    return this.entries.size
  }

  /** The first result stored under `key`, if still inside its window. */
  get(key: string): PublishResult | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key)
      return undefined
    }
    return entry.result
  }

  set(key: string, result: PublishResult, ttlMs: number): void {
    this.sweepOldest()
    this.entries.delete(key)
    this.entries.set(key, { result, expiresAt: this.clock.now() + ttlMs })
  }

  private sweepOldest(): void {
    const now = this.clock.now()
    // Entries are nearly in expiry order (one window per store in practice): stop at the first live one.
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.maxKeys) break
      this.entries.delete(key)
    }
  }
}
