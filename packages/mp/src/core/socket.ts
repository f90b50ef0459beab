/**
 * One emulated socket, platform-neutral: the native side of a SocketTask. Platform files turn its
 * events into their own payloads. State machine (one funnel, `setState`):
 *
 *   connecting ──open──▶ open ──close()──▶ closing ──transport close──▶ closed
 *       │                 │                                              ▲
 *       └──── error / timeout / close() / suspend / network loss ────────┘
 *
 * Rules it carries: at most one `error` per socket (DEC guards the error callback); the close
 * event comes exactly once, last; a local close reports the code and reason that were sent
 * (§7.9); nothing is emitted after `closed`.
 */
import type { Clock } from '../clock.js'
import type { Transport, TransportConnection, TransportError, TransportEvents, TransportRequest } from '../transport/types.js'
import { errMsg as ERR } from '../err-msg.js'

export type SocketState = 'connecting' | 'open' | 'closing' | 'closed'

/** Why a socket closed; platform files use it (e.g. the background cut may skip task `onClose`). */
export type CloseCause = 'local' | 'peer' | 'abnormal' | 'error' | 'interrupted' | 'replaced'

export interface SocketProfile {
  fetchStart: number
  domainLookUpStart: number
  domainLookUpEnd: number
  connectStart: number
  connectEnd: number
  rtt: number
  handshakeCost: number
  cost: number
}

export type SocketEvent =
  | { type: 'open'; header: Record<string, string>; profile: SocketProfile; protocol: string }
  | { type: 'message'; data: string | ArrayBuffer }
  | { type: 'error'; errMsg: string; kind: 'http-status' | 'network' | 'timeout' | 'limit' | 'domain' | 'offline' }
  | { type: 'close'; code: number; reason: string; cause: CloseCause }

export interface SocketDeps {
  clock: Clock
  transport: Transport
  /** §7.10: whether `close {1006}` follows an `error`. */
  closeAfterError: boolean
  /** §7.18: ms during which `readyState` still reads 0 after open. */
  readyStateLagMs: number
  /** Called once when the socket reaches `closed` (frees its concurrency slot). */
  onClosed: (socket: MpSocket) => void
  /** Runs `fn` after the current call (used so failures found at creation follow `success`). */
  defer: (fn: () => void) => void
}

const READY_STATE = { connecting: 0, open: 1, closing: 2, closed: 3 } as const

export class MpSocket {
  private state: SocketState = 'connecting'
  private conn: TransportConnection | undefined
  private timer: unknown
  private openedAt = 0
  private errored = false
  /** Set once the emulator stops listening to the transport (it decided the outcome itself). */
  private detached = false
  /** The code/reason a local close reports, whatever the peer echoes (§7.9, Taro H5 §7.22). */
  private localClose: { code: number; reason: string } | undefined
  private readonly observers: Array<(event: SocketEvent) => void> = []
  private taskObservers = 0

  constructor(readonly id: number, private readonly deps: SocketDeps) {}

  get current(): SocketState {
    return this.state
  }

  get readyState(): 0 | 1 | 2 | 3 {
    if (this.state === 'open' && this.deps.clock.now() < this.openedAt + this.deps.readyStateLagMs) return 0
    return READY_STATE[this.state]
  }

  /**
   * Adds an event observer. Task listeners run before the global API's callbacks (both run for
   * the newest task, research §2.1.3; the order is unspecified there, this one is fixed).
   */
  observe(fn: (event: SocketEvent) => void, role: 'task' | 'global' = 'task'): void {
    if (role === 'task') this.observers.splice(this.taskObservers++, 0, fn)
    else this.observers.push(fn)
  }

  /** Dials through the transport; the handshake must finish within `timeoutMs`. */
  start(request: TransportRequest, timeoutMs: number): void {
    const startedAt = this.deps.clock.now()
    this.timer = this.deps.clock.setTimeout(() => this.fail(ERR.timeout, 'timeout', true), timeoutMs)
    try {
      this.conn = this.deps.transport.connect(request, this.transportEvents(startedAt))
    } catch (error) {
      // e.g. `route` produced a URL the transport rejects: an error event, never a throw from connectSocket.
      this.failAtCreation(ERR.transport(error instanceof Error ? error.message : String(error)), 'network')
    }
  }

  private transportEvents(startedAt: number): TransportEvents {
    return {
      open: ({ header, protocol }) => {
        if (this.detached || this.state !== 'connecting') return
        this.deps.clock.clearTimeout(this.timer)
        this.openedAt = this.deps.clock.now()
        this.setState('open')
        this.emit({ type: 'open', header, protocol, profile: profileOf(startedAt, this.openedAt) })
      },
      message: (data) => {
        if (!this.detached && (this.state === 'open' || this.state === 'closing')) this.emit({ type: 'message', data })
      },
      error: (error: TransportError) => {
        if (this.detached || this.state === 'closed' || this.localClose !== undefined) return
        this.fail(error.kind === 'http-status' ? ERR.invalidHttpStatus : ERR.transport(error.message), error.kind, false)
      },
      close: (code, reason) => {
        if (this.detached || this.state === 'closed') return
        if (this.localClose !== undefined) return this.finish(this.localClose.code, this.localClose.reason, 'local')
        if (code === 1006) return this.finish(1006, reason === '' ? 'abnormal closure' : reason, 'abnormal')
        this.finish(code, reason, 'peer')
      },
    }
  }

  /** Writes a frame; false when the socket is not open (the caller reports the failure). */
  send(data: string | ArrayBuffer): boolean {
    if (this.state !== 'open' || this.conn === undefined) return false
    this.conn.send(data)
    return true
  }

  /**
   * Starts a local close. `wire` false sends a close frame without code/reason (Taro H5), while
   * `onClose` still reports `code`/`reason`. A socket still connecting is dropped and reports at once.
   */
  close(code: number, reason: string, wire = true): void {
    if (this.state === 'closing' || this.state === 'closed') return
    this.localClose = { code, reason }
    if (this.state === 'connecting') {
      // ws reports an aborted handshake on process.nextTick, before our deferred success callback;
      // detaching keeps the documented order: close() success, then onClose.
      this.drop()
      this.deps.defer(() => this.finish(code, reason, 'local'))
      return
    }
    this.setState('closing')
    if (wire) this.conn?.close(code, reason)
    else this.conn?.close()
  }

  /** Fails a socket that never dialed (limit, domain, offline): error then close, after `success`. */
  failAtCreation(errMsg: string, kind: 'limit' | 'domain' | 'offline' | 'network'): void {
    // Deferred twice: the platform schedules connectSocket's success/fail right after this call
    // returns, and the error event must come after it (§7.11: success, then onError).
    this.deps.defer(() => this.deps.defer(() => this.fail(errMsg, kind, true)))
  }

  /** Closes without any event: a connectSocket that failed, or `mp.dispose()`. */
  discard(): void {
    if (this.state === 'closed') return
    this.drop()
    this.finish(0, '', 'error', false)
  }

  /** Drops the connection with no handshake and reports `close {code, reason}` (suspend, network loss, replace). */
  cut(code: number, reason: string, cause: CloseCause): void {
    if (this.state === 'closed') return
    this.drop()
    this.finish(code, reason, cause)
  }

  private fail(errMsg: string, kind: Extract<SocketEvent, { type: 'error' }>['kind'], terminate: boolean): void {
    if (this.state === 'closed' || this.errored) return
    this.errored = true
    if (terminate) this.drop()
    this.emit({ type: 'error', errMsg, kind })
    this.finish(1006, 'abnormal closure', 'error', this.deps.closeAfterError)
  }

  private drop(): void {
    this.detached = true
    this.conn?.terminate()
  }

  private finish(code: number, reason: string, cause: CloseCause, notify = true): void {
    if (this.state === 'closed') return
    this.deps.clock.clearTimeout(this.timer)
    this.setState('closed')
    this.deps.onClosed(this)
    if (notify) this.emit({ type: 'close', code, reason, cause })
  }

  private setState(next: SocketState): void {
    if (!ALLOWED[this.state].includes(next)) throw new Error(`MpSocket: illegal transition ${this.state} → ${next}`)
    this.state = next
  }

  private emit(event: SocketEvent): void {
    for (const fn of this.observers) fn(event)
  }
}

const ALLOWED: Record<SocketState, readonly SocketState[]> = {
  connecting: ['open', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
}

/** WeChat's SocketProfile from what the emulator can measure: dial start and handshake end. */
function profileOf(start: number, end: number): SocketProfile {
  const cost = end - start
  return {
    fetchStart: start, domainLookUpStart: start, domainLookUpEnd: start,
    connectStart: start, connectEnd: end, rtt: cost, handshakeCost: cost, cost,
  }
}
