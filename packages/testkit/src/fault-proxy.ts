import { createServer, type Server, type Socket } from 'node:net'
import type { Clock } from './fake-clock.js'
import { ProxyConnection, type ConnectionHost } from './proxy-connection.js'
import type { PumpSettings } from './proxy-pump.js'
import { systemClock } from './system-clock.js'
import type {
  ConnectionInfo, Direction, DirectionCounters, DirectionSelector, FrameRule, ProxyCounters, ProxyEvent, ProxyFrame,
  RefuseMode, RuleAction, RuleHandle,
} from './proxy-types.js'
import { seededRandom } from './seeded-rng.js'
import type { FrameSpec } from './ws-frame.js'

export interface FaultProxyOptions {
  /** Where connections are forwarded (the server under test). */
  target: { host: string; port: number }
  /** Seed of the RNG behind jitter and mask keys (default 1): a fault schedule replays exactly. */
  seed?: number
  /** Timers for delay, throttle and close grace (default: real time). */
  clock?: Clock
  /**
   * Remove `Sec-WebSocket-Extensions` from upgrade requests (default true), so no
   * permessage-deflate is negotiated and rules can read payloads.
   */
  stripExtensions?: boolean
  /** A frame longer than this makes its direction fall back to raw forwarding (default 64 MiB). */
  maxFrameBytes?: number
  /** A fragmented message longer than this is forwarded without rules (default 16 MiB). */
  maxMessageBytes?: number
  /** Queued bytes per direction before the sending socket is paused (default 1 MiB). */
  highWaterBytes?: number
  /** After a close frame or one side closing, the other side is destroyed after this (default 1000 ms). */
  closeGraceMs?: number
  /** Event log size; the oldest events are dropped beyond it (default 10 000). */
  maxEvents?: number
}

/** A running fault proxy. Every control applies at once to open connections and to new ones. */
export interface FaultProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number
  /** `ws://127.0.0.1:<port>`: point the client here instead of at the target. */
  readonly url: string
  counters(): ProxyCounters
  connections(): ConnectionInfo[]
  /** The event log, oldest first. */
  events(): readonly ProxyEvent[]
  /** Destroys one connection (or all) without a close frame; returns how many were cut. */
  cut(connection?: number): number
  /** Sends close `code` to client and server of one connection (or all); returns how many. */
  closeWithCode(code: number, reason?: string, connection?: number): number
  /** Delay every chunk by `delayMs` plus a seeded random share of `jitterMs` (order is kept). */
  setDelay(delayMs: number, jitterMs?: number, direction?: DirectionSelector): void
  /** Bound the byte rate (null: unlimited). Bytes then arrive in chunks of ≤ 50 ms worth. */
  setThrottle(bytesPerSecond: number | null, direction?: DirectionSelector): void
  /** Hold bytes (a partition); `connection` limits it to one client. TCP stays open. */
  pause(options?: { direction?: DirectionSelector; connection?: number }): void
  resume(options?: { direction?: DirectionSelector; connection?: number }): void
  /** Adds a frame rule (tried in order added, first match acts). */
  addRule(rule: FrameRule): RuleHandle
  /** Shorthand for a `drop` rule. */
  suppress(direction: DirectionSelector, match: (frame: ProxyFrame) => boolean, times?: number): RuleHandle
  /** Sends a frame to one side of one open connection (or all); returns how many got it. */
  inject(direction: Direction, frame: FrameSpec, connection?: number): number
  /** The next `n` connects are accepted then refused in the given way (default `destroy`). */
  refuseNext(n: number, mode?: RefuseMode): void
  /** Stops listening, destroys every connection, clears every timer. */
  close(): Promise<void>
}

interface LiveRule {
  rule: FrameRule
  hits: number
  removed: boolean
}

const directions = (sel: DirectionSelector = 'both'): Direction[] => (sel === 'both' ? ['toServer', 'toClient'] : [sel])
const zero = (): DirectionCounters => ({ frames: 0, bytes: 0, dropped: 0, injected: 0, replaced: 0 })

function checkNumber(name: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min) throw new RangeError(`fault proxy: ${name} must be a finite number ≥ ${min}, got ${value}`)
}

function actionName(action: RuleAction): string {
  return typeof action === 'string' ? action : 'close' in action ? `close ${action.close}` : 'replace'
}

/**
 * Starts a WebSocket-aware fault-injecting TCP proxy on 127.0.0.1 (port 0).
 *
 * @example
 * // (README.md runs a complete version of this against a real `ws` server)
 * const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: serverPort } })
 * try {
 *   const ws = new WebSocket(proxy.url)                // `ws` client, or the minisocket client
 *   proxy.suppress('toClient', frameMatchers.appPing)  // server pings never arrive
 *   proxy.closeWithCode(3001, 'shutdown')              // client sees 3001
 *   proxy.cut()                                        // client sees 1006
 * } finally {
 *   await proxy.close()
 * }
 */
export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { target } = options
  if (typeof target?.host !== 'string' || !Number.isInteger(target.port) || target.port <= 0 || target.port > 65535) {
    throw new TypeError(`createFaultProxy: target must be { host: string, port: 1..65535 }, got ${JSON.stringify(target)}`)
  }
  const clock = options.clock ?? systemClock
  const maxEvents = options.maxEvents ?? 10_000
  const rules: LiveRule[] = []
  const log: ProxyEvent[] = []
  const open = new Map<number, ProxyConnection>()
  const hung = new Set<Socket>()
  const counters: ProxyCounters = { connections: 0, refused: 0, open: 0, toServer: zero(), toClient: zero() }
  const global: Record<Direction, PumpSettings> = {
    toServer: { delayMs: 0, jitterMs: 0, bytesPerSecond: null, paused: false },
    toClient: { delayMs: 0, jitterMs: 0, bytesPerSecond: null, paused: false },
  }
  let refuse: { remaining: number; mode: RefuseMode } = { remaining: 0, mode: 'destroy' }
  let nextId = 1

  const host: ConnectionHost = {
    clock,
    random: seededRandom(options.seed ?? 1),
    stripExtensions: options.stripExtensions ?? true,
    maxFrameBytes: options.maxFrameBytes ?? 64 * 1024 * 1024,
    maxMessageBytes: options.maxMessageBytes ?? 16 * 1024 * 1024,
    closeGraceMs: options.closeGraceMs ?? 1000,
    highWaterBytes: options.highWaterBytes ?? 1024 * 1024,
    settings: (d, conn) => ({ ...global[d], paused: global[d].paused || conn.paused[d] }),
    applyRules(frame) {
      for (const live of rules) {
        const { rule } = live
        if (live.removed || (rule.times !== undefined && live.hits >= rule.times)) continue
        if (rule.connection !== undefined && rule.connection !== frame.connection) continue
        if (!directions(rule.direction).includes(frame.direction) || !rule.match(frame)) continue
        live.hits++
        host.log({ at: clock.now(), kind: 'rule', connection: frame.connection, direction: frame.direction, opcode: frame.opcode, action: actionName(rule.action) })
        return rule.action
      }
      return undefined
    },
    count: (d, field, n) => {
      counters[d][field] += n
    },
    log: (event) => {
      log.push(event)
      if (log.length > maxEvents) log.splice(0, log.length - maxEvents)
    },
    onClosed: (conn) => {
      open.delete(conn.id)
    },
  }

  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    const id = nextId++
    counters.connections++
    socket.on('error', () => socket.destroy())
    if (refuse.remaining > 0) {
      refuse.remaining--
      counters.refused++
      host.log({ at: clock.now(), kind: 'refuse', connection: id, mode: refuse.mode })
      if (refuse.mode === 'reset') socket.resetAndDestroy()
      else if (refuse.mode === 'destroy') socket.destroy()
      else {
        hung.add(socket)
        socket.on('close', () => hung.delete(socket))
      }
      return
    }
    host.log({ at: clock.now(), kind: 'connect', connection: id })
    open.set(id, new ProxyConnection(id, socket, target, host))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('fault proxy: no TCP address after listen')
  const port = address.port

  const select = (connection: number | undefined): ProxyConnection[] =>
    connection === undefined ? [...open.values()] : [open.get(connection)].filter((c): c is ProxyConnection => c !== undefined)
  const kickAll = (): void => {
    for (const c of open.values()) c.kick()
  }
  const setPause = (value: boolean, opts: { direction?: DirectionSelector; connection?: number } = {}): void => {
    for (const d of directions(opts.direction)) {
      if (opts.connection === undefined) global[d].paused = value
      for (const c of select(opts.connection)) c.paused[d] = value
    }
    kickAll()
  }

  const addRule = (rule: FrameRule): RuleHandle => {
    if (typeof rule.match !== 'function') throw new TypeError('fault proxy: rule.match must be a function')
    const live: LiveRule = { rule, hits: 0, removed: false }
    rules.push(live)
    return {
      get hits() {
        return live.hits
      },
      remove() {
        if (live.removed) return
        live.removed = true
        rules.splice(rules.indexOf(live), 1)
      },
    }
  }

  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    counters: () => ({ ...counters, open: open.size, toServer: { ...counters.toServer }, toClient: { ...counters.toClient } }),
    connections: () => [...open.values()].map((c) => c.info()),
    events: () => [...log],
    cut(connection) {
      const targets = select(connection)
      for (const c of targets) c.cut()
      if (connection === undefined) for (const s of hung) s.destroy()
      return targets.length
    },
    closeWithCode(code, reason = '', connection) {
      checkNumber('close code', code, 0)
      const targets = select(connection)
      for (const c of targets) c.closeWithCode(code, reason)
      return targets.length
    },
    setDelay(delayMs, jitterMs = 0, direction) {
      checkNumber('delayMs', delayMs, 0)
      checkNumber('jitterMs', jitterMs, 0)
      for (const d of directions(direction)) Object.assign(global[d], { delayMs, jitterMs })
      kickAll()
    },
    setThrottle(bytesPerSecond, direction) {
      if (bytesPerSecond !== null) checkNumber('bytesPerSecond', bytesPerSecond, 1)
      for (const d of directions(direction)) global[d].bytesPerSecond = bytesPerSecond
      kickAll()
    },
    pause: (opts) => setPause(true, opts),
    resume: (opts) => setPause(false, opts),
    addRule,
    suppress(direction, match, times) {
      return addRule({ direction, match, action: 'drop', ...(times === undefined ? {} : { times }) })
    },
    inject(direction, frame, connection) {
      return select(connection).filter((c) => c.inject(direction, frame)).length
    },
    refuseNext(n, mode = 'destroy') {
      checkNumber('refuseNext count', n, 0)
      refuse = { remaining: Math.floor(n), mode }
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const c of open.values()) c.cut()
      for (const s of hung) s.destroy()
      await closed
    },
  }
}

/** Ready-made matchers for `addRule` / `suppress`. */
export const frameMatchers = {
  /** Text frames whose JSON has `type === t` (minisocket's app-level messages); 'pub' also matches protocol v2's compact `["p", …]`. */
  jsonType: (t: string) => (frame: ProxyFrame): boolean => {
    const value = frame.json()
    if (Array.isArray(value)) return t === 'pub' && value[0] === 'p'
    return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === t
  },
  /** The server's app-level heartbeat `{"type":"ping"}` (mini-programs cannot see WS pings). */
  appPing: (frame: ProxyFrame): boolean => frameMatchers.jsonType('ping')(frame),
  /** The client's app-level answer `{"type":"pong"}`. */
  appPong: (frame: ProxyFrame): boolean => frameMatchers.jsonType('pong')(frame),
  /** RFC 6455 ping (opcode 0x9). */
  wsPing: (frame: ProxyFrame): boolean => frame.opcode === 0x9,
  /** RFC 6455 pong (opcode 0xA). */
  wsPong: (frame: ProxyFrame): boolean => frame.opcode === 0xa,
  /** Every frame. */
  any: (): boolean => true,
}
