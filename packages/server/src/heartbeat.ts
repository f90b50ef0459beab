/**
 * Server-side application heartbeat: browsers and mini-programs cannot answer WebSocket pings
 * (research/platform-api.md), so the server sends `{type:'ping'}` every `intervalMs` after the
 * last pong and gives up (`onPongTimeout`, close 4001) when no pong arrives within `timeoutMs`.
 *
 * One sweep per node instead of a timer per connection: the per-connection ping `Timeout`, its
 * closures and its Heartbeat object were ~0.5 KiB of the 6.6 KiB heap per idle connection
 * (bench/analysis.md, heap snapshot at N = 2000). Members wait in two deadline queues (ping due,
 * pong due), each a doubly linked list whose links live on the member itself, so joining,
 * leaving and moving cost no allocation. All members of a queue wait the same delay, so
 * appending keeps a queue in deadline order, and each queue needs one clock timer, armed for its
 * head. Deadlines are exact to the injected clock's millisecond, as with a timer per connection.
 */
import type { Clock } from './api.js'

export interface HeartbeatMember {
  /** Links owned by the sweep; start them undefined / 0. */
  heartbeatQueue: DeadlineQueue | undefined
  heartbeatPrev: HeartbeatMember | undefined
  heartbeatNext: HeartbeatMember | undefined
  heartbeatAt: number
  /** Time to send a ping. */
  heartbeatPing(): void
  /** A ping went unanswered for `timeoutMs`. */
  heartbeatTimeout(): void
}

/** Members in deadline order; one clock timer, armed for the head. */
export class DeadlineQueue {
  private head: HeartbeatMember | undefined
  private tail: HeartbeatMember | undefined
  private timer: unknown
  private armedAt = Number.POSITIVE_INFINITY

  constructor(
    private readonly clock: Clock,
    private readonly delayMs: number,
    private readonly onDue: (member: HeartbeatMember) => void,
  ) {}

  /** Appends `member` due `delayMs` from now. It must not be in any queue. */
  push(member: HeartbeatMember): void {
    const at = this.clock.now() + this.delayMs
    member.heartbeatQueue = this
    member.heartbeatAt = at
    // Walks back only if the clock stepped backwards (wall time), so that the order holds.
    let after = this.tail
    while (after !== undefined && after.heartbeatAt > at) after = after.heartbeatPrev
    const before = after === undefined ? this.head : after.heartbeatNext
    member.heartbeatPrev = after
    member.heartbeatNext = before
    if (after === undefined) this.head = member
    else after.heartbeatNext = member
    if (before === undefined) this.tail = member
    else before.heartbeatPrev = member
    if (at < this.armedAt) this.arm()
  }

  remove(member: HeartbeatMember): void {
    if (member.heartbeatQueue !== this) return
    const { heartbeatPrev: prev, heartbeatNext: next } = member
    if (prev === undefined) this.head = next
    else prev.heartbeatNext = next
    if (next === undefined) this.tail = prev
    else next.heartbeatPrev = prev
    member.heartbeatQueue = member.heartbeatPrev = member.heartbeatNext = undefined
    // An empty queue leaves no timer behind; otherwise a timer armed for an earlier head just
    // finds nothing due and re-arms (cheaper than re-arming on every pong).
    if (this.head === undefined) this.disarm()
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.armedAt = Number.POSITIVE_INFINITY
  }

  private arm(): void {
    this.disarm()
    if (this.head === undefined) return
    this.armedAt = this.head.heartbeatAt
    this.timer = this.clock.setTimeout(this.fire, Math.max(0, this.armedAt - this.clock.now()))
  }

  private readonly fire = (): void => {
    this.timer = undefined
    this.armedAt = Number.POSITIVE_INFINITY
    const now = this.clock.now()
    for (let member = this.head; member !== undefined && member.heartbeatAt <= now; member = this.head) {
      this.remove(member)
      try {
        this.onDue(member)
      } catch {
        // One member failing must not stop the sweep; its own close handler cleans up.
      }
    }
    this.arm()
  }
}

/** The node's heartbeat: members wait for their ping, then for their pong. */
export class HeartbeatSweep {
  private readonly pings: DeadlineQueue
  private readonly pongs: DeadlineQueue

  constructor(clock: Clock, intervalMs: number, timeoutMs: number) {
    this.pongs = new DeadlineQueue(clock, timeoutMs, (member) => member.heartbeatTimeout())
    this.pings = new DeadlineQueue(clock, intervalMs, (member) => {
      // Waits for the pong before the ping goes out: if sending closes the connection, its
      // stop() then finds it in the pong queue and nothing is left behind.
      this.pongs.push(member)
      member.heartbeatPing()
    })
  }

  /** The next ping is due `intervalMs` from now. */
  start(member: HeartbeatMember): void {
    this.stop(member)
    this.pings.push(member)
  }

  /** A pong: true when it answered an outstanding ping (the next one is scheduled). */
  pong(member: HeartbeatMember): boolean {
    if (member.heartbeatQueue !== this.pongs) return false
    this.start(member)
    return true
  }

  stop(member: HeartbeatMember): void {
    member.heartbeatQueue?.remove(member)
  }
}
