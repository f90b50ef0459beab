/**
 * A deterministic clock for tests. Implements the `Clock` shape that the client and server
 * take by injection: `now()`, `setTimeout()`, `clearTimeout()`. Time only moves when the test
 * calls `advance()` / `runAll()`, so tests never sleep.
 *
 * @example
 * const clock = new FakeClock()
 * let fired = false
 * clock.setTimeout(() => { fired = true }, 1000)
 * clock.advance(999)  // fired === false
 * clock.advance(1)    // fired === true
 */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

interface Timer {
  id: number
  at: number
  fn: () => void
}

export class FakeClock implements Clock {
  private current: number
  private nextId = 1
  private timers: Timer[] = []

  constructor(start = 1_700_000_000_000) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = this.nextId++
    this.timers.push({ id, at: this.current + Math.max(0, ms), fn })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle)
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.timers.length
  }

  /** Moves time forward by `ms`, firing due timers in time order (ties in creation order). */
  advance(ms: number): void {
    const target = this.current + ms
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = this.earliest()
      if (next === undefined || next.at > target) break
      this.timers = this.timers.filter((t) => t !== next)
      this.current = next.at
      next.fn()
    }
    this.current = target
  }

  /** Fires every timer, including ones scheduled by the timers, up to `limit` of them. */
  runAll(limit = 10_000): void {
    for (let i = 0; i < limit; i++) {
      const next = this.earliest()
      if (next === undefined) return
      this.advance(next.at - this.current)
    }
    throw new Error(`FakeClock.runAll: still ${this.timers.length} timers after ${limit} runs`)
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined
    for (const t of this.timers) if (best === undefined || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t
    return best
  }
}
