/**
 * Server-side application heartbeat: browsers and mini-programs cannot answer WebSocket pings
 * (research/platform-api.md), so the server sends `{type:'ping'}` every `intervalMs` after the
 * last pong and gives up (`onTimeout`, close 4001) when no pong arrives within `timeoutMs`.
 */
import type { Clock } from './api.js'

export class Heartbeat {
  private pingTimer: unknown
  private pongTimer: unknown

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly sendPing: () => void,
    private readonly onTimeout: () => void,
  ) {}

  start(): void {
    this.pingTimer = this.clock.setTimeout(() => {
      this.pingTimer = undefined
      this.sendPing()
      this.pongTimer = this.clock.setTimeout(() => {
        this.pongTimer = undefined
        this.onTimeout()
      }, this.timeoutMs)
    }, this.intervalMs)
  }

  /** A pong: true when it answered an outstanding ping (the next one is scheduled). */
  pong(): boolean {
    if (this.pongTimer === undefined) return false
    this.clock.clearTimeout(this.pongTimer)
    this.pongTimer = undefined
    this.start()
    return true
  }

  stop(): void {
    if (this.pingTimer !== undefined) this.clock.clearTimeout(this.pingTimer)
    if (this.pongTimer !== undefined) this.clock.clearTimeout(this.pongTimer)
    this.pingTimer = this.pongTimer = undefined
  }
}
