import { ErrorCode, type ClientFrame, type ServerFrame } from '@minisocket/protocol'
import type { Clock } from './clock.js'
import { ClientError } from './errors.js'

type WithId = Extract<ClientFrame, { id: number }>
/** A request frame before the client numbers it. */
export type RequestFrame = WithId extends infer F ? (F extends WithId ? Omit<F, 'id'> : never) : never

interface Pending {
  frame: WithId
  /** Runs synchronously with the reply, before frames behind it on the wire (see request()). */
  onReply: ((frame: ServerFrame) => void) | undefined
  /** What the caller wants from the reply, applied before resolving (no second promise per call). */
  pick: ((frame: ServerFrame) => unknown) | undefined
  resolve(value: unknown): void
  reject(error: unknown): void
  /** Clock time after which the request fails with Timeout; Infinity: waits without limit. */
  deadline: number
  timeout: number
  sent: boolean
}

/**
 * Requests waiting for their reply, by id. A request made while not connected waits (unsent)
 * for the next connection, up to its timeout. When a connection drops, the requests already
 * sent on it are rejected with Disconnected (200): their fate is unknown and only the app knows
 * whether repeating them is safe. (Publishes do not go through here unprotected: the outbox
 * re-sends them with their message id, which the server deduplicates: G5.)
 *
 * Deadlines share one timer, armed for the earliest of them, instead of a timer per request:
 * arming and clearing a platform timer for every call was the client's largest own cost in the
 * RPC benchmark (docs/benchmarks.md). A reply does not touch the timer; when it fires it fails
 * what is overdue and re-arms for the earliest deadline left.
 */
export function createRequests(clock: Clock, write: (frame: WithId) => boolean) {
  const pending = new Map<number, Pending>()
  let lastId = 0
  let timer: unknown
  let armedFor = Infinity

  const disarm = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
    armedFor = Infinity
  }
  const arm = (deadline: number): void => {
    if (deadline >= armedFor) return
    disarm()
    armedFor = deadline
    timer = clock.setTimeout(expire, Math.max(0, deadline - clock.now()))
  }
  const expire = (): void => {
    timer = undefined
    armedFor = Infinity
    const now = clock.now()
    let next = Infinity
    for (const [id, p] of pending) {
      if (p.deadline <= now) {
        pending.delete(id)
        p.reject(new ClientError(ErrorCode.Timeout, `no reply to ${p.frame.type} within ${p.timeout} ms`))
      } else if (p.deadline < next) next = p.deadline
    }
    if (next < Infinity) arm(next)
  }

  return {
    nextId: (): number => ++lastId,

    /**
     * Sends now if connected, else when next connected. `timeout` 0: wait without limit.
     * `onReply` sees a successful reply synchronously: promise callbacks run only after the
     * platform has dispatched every frame of the same network read, so a `subscribed` reply
     * handled in `.then` would come after the live `pub`s that follow it on the wire.
     * `pick` maps the reply to the promise's value; when it throws, the promise rejects.
     */
    request<T = ServerFrame>(frame: RequestFrame, timeout: number, onReply?: (frame: ServerFrame) => void, pick?: (frame: ServerFrame) => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const id = ++lastId
        const deadline = timeout > 0 ? clock.now() + timeout : Infinity
        const p: Pending = { frame: { ...frame, id } as WithId, onReply, pick, resolve: resolve as (value: unknown) => void, reject, deadline, timeout, sent: false }
        pending.set(id, p)
        if (deadline < Infinity) arm(deadline)
        p.sent = write(p.frame)
      })
    },

    /** Routes a reply; false when no request has this id (late reply after a timeout: ignored). */
    settle(frame: ServerFrame, id: number): boolean {
      const p = pending.get(id)
      if (p === undefined) return false
      pending.delete(id)
      if (frame.type === 'error') {
        p.reject(new ClientError(frame.code, frame.message))
      } else {
        p.onReply?.(frame)
        if (p.pick === undefined) p.resolve(frame)
        else {
          try {
            p.resolve(p.pick(frame))
          } catch (error) {
            p.reject(error)
          }
        }
      }
      return true
    },

    /** Sends the requests that waited for a connection, oldest first. */
    flush(): void {
      for (const p of pending.values()) if (!p.sent) p.sent = write(p.frame)
    },

    /** Rejects the requests sent on the connection that just ended, or all of them (`all`). */
    fail(error: ClientError, all: boolean): void {
      for (const [id, p] of [...pending]) {
        if (all || p.sent) {
          pending.delete(id)
          p.reject(error)
        }
      }
      if (pending.size === 0) disarm()
    },
  }
}
