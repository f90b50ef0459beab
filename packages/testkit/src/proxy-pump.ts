import type { Socket } from 'node:net'
import type { Clock } from './fake-clock.js'

/** What a pump reads before every write, so changes made at run time apply at once. */
export interface PumpSettings {
  delayMs: number
  jitterMs: number
  /** null: unlimited. */
  bytesPerSecond: number | null
  paused: boolean
}

interface Item {
  bytes: Buffer
  sent: number
  readyAt: number
}

/**
 * One direction of a proxied connection: an ordered queue of byte chunks written to `dest`
 * after a per-chunk delay (+ seeded jitter), at a bounded byte rate, and not at all while paused.
 *
 * Order is kept: a chunk is never ready before the one ahead of it, so jitter delays but never
 * reorders (TCP would not reorder either). Memory is bounded by backpressure: above
 * `highWaterBytes` queued, the `source` socket is paused and resumed once half of it drained.
 */
export class DirectionPump {
  private items: Item[] = []
  private queuedBytes = 0
  private lastReadyAt = 0
  private tokens: number | null = null
  private tokensAt = 0
  private timer: unknown = undefined
  private waitingDrain = false
  private sourcePaused = false
  private disposed = false
  private ending = false

  constructor(
    private readonly dest: Socket,
    private readonly source: Socket,
    private readonly settings: () => PumpSettings,
    private readonly random: () => number,
    private readonly clock: Clock,
    private readonly onWritten: (bytes: number) => void,
    private readonly highWaterBytes = 1024 * 1024,
  ) {}

  /** Bytes accepted but not yet written to `dest`. */
  get pending(): number {
    return this.queuedBytes
  }

  enqueue(bytes: Buffer): void {
    if (this.disposed || bytes.length === 0) return
    const s = this.settings()
    const delay = s.delayMs + (s.jitterMs > 0 ? this.random() * s.jitterMs : 0)
    const readyAt = Math.max(this.lastReadyAt, this.clock.now() + delay)
    this.lastReadyAt = readyAt
    this.items.push({ bytes, sent: 0, readyAt })
    this.queuedBytes += bytes.length
    if (this.queuedBytes > this.highWaterBytes && !this.sourcePaused) {
      this.sourcePaused = true
      this.source.pause()
    }
    this.pump()
  }

  /** Re-reads the settings (call after a change: resume, new rate, new delay). */
  kick(): void {
    this.cancelTimer()
    this.pump()
  }

  /** Ends `dest` (TCP FIN) once everything queued before this call has been written. */
  endAfterFlush(): void {
    this.ending = true
    this.maybeEnd()
  }

  /** Drops every chunk not yet started; a chunk already half written is kept so framing stays intact. */
  discardUnsent(): void {
    const head = this.items[0]
    const keep = head && head.sent > 0 ? [head] : []
    for (const item of this.items) if (!keep.includes(item)) this.queuedBytes -= item.bytes.length - item.sent
    this.items = keep
  }

  /** Writes whatever is queued now, ignoring delay, rate and pause (used just before closing). */
  flushNow(): void {
    this.cancelTimer()
    for (const item of this.items) this.write(item.bytes.subarray(item.sent))
    this.items = []
    this.queuedBytes = 0
    this.maybeEnd()
  }

  dispose(): void {
    this.disposed = true
    this.cancelTimer()
    this.items = []
    this.queuedBytes = 0
  }

  private pump(): void {
    if (this.disposed || this.timer !== undefined || this.waitingDrain) return
    for (let guard = 0; guard < 100_000 && this.items.length > 0; guard++) {
      const s = this.settings()
      if (s.paused) return
      const head = this.items[0]!
      const now = this.clock.now()
      if (head.readyAt > now) return this.schedule(head.readyAt - now)
      let n = head.bytes.length - head.sent
      if (s.bytesPerSecond !== null) {
        const rate = Math.max(1, s.bytesPerSecond)
        // Bucket of 50 ms worth of bytes: writes come in several small chunks spread over time.
        const burst = Math.max(1, Math.floor(rate / 20))
        const tokens = this.refill(rate, burst, now)
        const want = Math.min(n, burst)
        if (tokens < want) {
          // Keep what accrued: refill() moved tokensAt to now, so dropping it would starve the
          // pump whenever a timer fires a little early (a livelock seen as a stalled throttle).
          this.tokens = tokens
          return this.schedule(Math.max(1, Math.ceil(((want - tokens) * 1000) / rate)))
        }
        n = Math.min(n, Math.floor(tokens))
        this.tokens = tokens - n
      } else {
        this.tokens = null
      }
      const chunk = head.bytes.subarray(head.sent, head.sent + n)
      head.sent += n
      this.queuedBytes -= n
      if (head.sent >= head.bytes.length) this.items.shift()
      if (!this.write(chunk)) {
        this.waitingDrain = true
        this.dest.once('drain', () => {
          this.waitingDrain = false
          this.pump()
        })
        break
      }
    }
    if (this.sourcePaused && this.queuedBytes <= this.highWaterBytes / 2) {
      this.sourcePaused = false
      this.source.resume()
    }
    if (this.items.length > 0 && !this.waitingDrain && this.timer === undefined && !this.settings().paused) this.schedule(0)
    this.maybeEnd()
  }

  private maybeEnd(): void {
    if (this.ending && !this.disposed && this.items.length === 0 && !this.dest.destroyed) this.dest.end()
  }

  private refill(rate: number, burst: number, now: number): number {
    const previous = this.tokens ?? burst
    const tokens = Math.min(burst, previous + ((now - this.tokensAt) * rate) / 1000)
    this.tokensAt = now
    return tokens
  }

  private write(chunk: Buffer): boolean {
    if (chunk.length === 0 || this.dest.destroyed || !this.dest.writable) return true
    this.onWritten(chunk.length)
    return this.dest.write(chunk)
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.pump()
    }, ms)
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }
}
