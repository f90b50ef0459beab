import { connect, type Socket } from 'node:net'
import type { Clock } from './fake-clock.js'
import { DirectionPump, type PumpSettings } from './proxy-pump.js'
import type { ConnectionInfo, ConnectionState, Direction, DirectionCounters, ProxyEvent, ProxyFrame, RuleAction } from './proxy-types.js'
import { FrameParseError, FrameParser, Opcode, closePayload, encodeFrame, isControlOpcode, type FrameSpec, type WsFrame } from './ws-frame.js'

/** What a connection needs from the proxy that owns it. */
export interface ConnectionHost {
  readonly clock: Clock
  readonly random: () => number
  readonly stripExtensions: boolean
  readonly maxFrameBytes: number
  readonly maxMessageBytes: number
  readonly closeGraceMs: number
  readonly highWaterBytes: number
  settings(direction: Direction, connection: ProxyConnection): PumpSettings
  /** Finds the first matching rule, counts the hit, returns its action. */
  applyRules(frame: ProxyFrame): RuleAction | undefined
  count(direction: Direction, field: keyof DirectionCounters, n: number): void
  log(event: ProxyEvent): void
  onClosed(connection: ProxyConnection): void
}

/** An HTTP head larger than this is not a WebSocket upgrade we can read: forward it raw. */
const MAX_HEAD_BYTES = 64 * 1024
const HEAD_END = Buffer.from('\r\n\r\n')

// connecting → handshake (target reached) → open (101) | raw (any other response) → closing → closed.
const TRANSITIONS: Record<ConnectionState, readonly ConnectionState[]> = {
  connecting: ['handshake', 'closing', 'closed'],
  handshake: ['open', 'raw', 'closing', 'closed'],
  open: ['closing', 'closed'],
  raw: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
}

const zeroCounters = (): DirectionCounters => ({ frames: 0, bytes: 0, dropped: 0, injected: 0, replaced: 0 })
const other = (d: Direction): Direction => (d === 'toServer' ? 'toClient' : 'toServer')

/** One client connection through the proxy and its upstream connection to the target. */
export class ProxyConnection {
  state: ConnectionState = 'connecting'
  url: string | undefined
  readonly counters: Record<Direction, DirectionCounters> = { toServer: zeroCounters(), toClient: zeroCounters() }
  /** Per-connection pause (a partition of this client only), on top of the proxy-wide one. */
  readonly paused: Record<Direction, boolean> = { toServer: false, toClient: false }
  private readonly upstream: Socket
  private readonly pumps: Record<Direction, DirectionPump>
  private readonly heads: Record<Direction, Buffer[] | null> = { toServer: [], toClient: [] }
  private readonly parsers: Record<Direction, FrameParser | null> = { toServer: null, toClient: null }
  private readonly fragments: Record<Direction, WsFrame[] | null> = { toServer: null, toClient: null }
  private readonly passthrough: Record<Direction, boolean> = { toServer: false, toClient: false }
  private graceTimer: unknown = undefined

  constructor(
    readonly id: number,
    private readonly client: Socket,
    target: { host: string; port: number },
    private readonly host: ConnectionHost,
  ) {
    this.upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true })
    const pump = (direction: Direction, dest: Socket, source: Socket): DirectionPump =>
      new DirectionPump(dest, source, () => host.settings(direction, this), host.random, host.clock, (n) => {
        this.counters[direction].bytes += n
        host.count(direction, 'bytes', n)
      }, host.highWaterBytes)
    this.pumps = { toServer: pump('toServer', this.upstream, client), toClient: pump('toClient', client, this.upstream) }
    this.upstream.on('connect', () => {
      if (this.state === 'connecting') this.setState('handshake')
    })
    this.wire(client, 'toServer')
    this.wire(this.upstream, 'toClient')
  }

  info(): ConnectionInfo {
    return { id: this.id, state: this.state, url: this.url, toServer: { ...this.counters.toServer }, toClient: { ...this.counters.toClient } }
  }

  /** Re-reads delay/throttle/pause settings (after the proxy changed them). */
  kick(): void {
    this.pumps.toServer.kick()
    this.pumps.toClient.kick()
  }

  /** Destroys both TCP connections without a close frame: the client sees 1006. */
  cut(): void {
    if (this.state === 'closed') return
    this.host.log({ at: this.host.clock.now(), kind: 'cut', connection: this.id })
    this.client.destroy()
    this.upstream.destroy()
    this.finish()
  }

  /**
   * Sends a close frame with `code` to both sides, then ends TCP (destroyed after the grace
   * period). Before the upgrade completed there is no framing yet, so this cuts instead.
   */
  closeWithCode(code: number, reason = ''): void {
    if (this.state !== 'open') return this.cut()
    this.setState('closing')
    this.host.log({ at: this.host.clock.now(), kind: 'close', connection: this.id, code })
    const payload = closePayload(code, reason)
    for (const d of ['toServer', 'toClient'] as const) {
      const pump = this.pumps[d]
      pump.discardUnsent()
      pump.enqueue(encodeFrame({ opcode: 'close', payload }, this.mask(d)))
      pump.flushNow()
    }
    this.client.end()
    this.upstream.end()
    this.graceTimer = this.host.clock.setTimeout(() => this.cut(), this.host.closeGraceMs)
  }

  /** Queues a frame to one side. False unless the connection is open (upgraded). */
  inject(direction: Direction, frame: FrameSpec): boolean {
    if (this.state !== 'open') return false
    this.pumps[direction].enqueue(encodeFrame(frame, this.mask(direction)))
    this.counters[direction].injected++
    this.host.count(direction, 'injected', 1)
    return true
  }

  private setState(next: ConnectionState): void {
    if (!TRANSITIONS[this.state].includes(next)) throw new Error(`proxy connection ${this.id}: ${this.state} → ${next} is not a transition`)
    this.state = next
  }

  private wire(source: Socket, direction: Direction): void {
    const pumpToOther = this.pumps[direction]
    source.on('data', (chunk: Buffer) => this.onData(direction, chunk))
    // Half close: forward the FIN once everything queued toward the other side is written.
    source.on('end', () => pumpToOther.endAfterFlush())
    source.on('error', () => this.cut())
    source.on('close', () => {
      if (this.client.destroyed && this.upstream.destroyed) return this.finish()
      // One side is gone: give the other side the grace period to drain, then cut.
      if (this.graceTimer === undefined) this.graceTimer = this.host.clock.setTimeout(() => this.cut(), this.host.closeGraceMs)
      this.pumps[other(direction)].dispose()
    })
  }

  private finish(): void {
    if (this.state === 'closed') return
    this.setState('closed')
    if (this.graceTimer !== undefined) this.host.clock.clearTimeout(this.graceTimer)
    this.pumps.toServer.dispose()
    this.pumps.toClient.dispose()
    this.host.log({ at: this.host.clock.now(), kind: 'end', connection: this.id })
    this.host.onClosed(this)
  }

  private onData(direction: Direction, chunk: Buffer): void {
    if (this.state === 'closing' || this.state === 'closed') return
    const head = this.heads[direction]
    if (head) return this.onHeadBytes(direction, head, chunk)
    const parser = this.parsers[direction]
    if (!parser) return this.pumps[direction].enqueue(chunk)
    let frames: WsFrame[]
    try {
      frames = parser.push(chunk)
    } catch (err) {
      if (!(err instanceof FrameParseError)) throw err
      return this.toRaw(direction, err.message)
    }
    for (const frame of frames) this.onFrame(direction, frame)
  }

  private onHeadBytes(direction: Direction, head: Buffer[], chunk: Buffer): void {
    head.push(chunk)
    const all = Buffer.concat(head)
    const end = all.indexOf(HEAD_END)
    if (end < 0) {
      if (all.length > MAX_HEAD_BYTES) {
        this.heads[direction] = null
        this.host.log({ at: this.host.clock.now(), kind: 'raw', connection: this.id, direction, reason: 'HTTP head too large' })
        this.pumps[direction].enqueue(all)
      } else {
        this.heads[direction] = [all]
      }
      return
    }
    this.heads[direction] = null
    const text = all.subarray(0, end + 4).toString('latin1')
    const rest = all.subarray(end + 4)
    if (direction === 'toServer') this.onRequestHead(text)
    else this.onResponseHead(text)
    if (rest.length > 0) this.onData(direction, rest)
  }

  private onRequestHead(text: string): void {
    this.url = text.split('\r\n', 1)[0]?.split(' ')[1]
    // The proxy must read payloads, so by default it keeps permessage-deflate from being negotiated.
    const head = this.host.stripExtensions ? text.split('\r\n').filter((l) => !/^sec-websocket-extensions:/i.test(l)).join('\r\n') : text
    this.pumps.toServer.enqueue(Buffer.from(head, 'latin1'))
    this.parsers.toServer = new FrameParser(this.host.maxFrameBytes)
  }

  private onResponseHead(text: string): void {
    const status = Number(text.split('\r\n', 1)[0]?.split(' ')[1] ?? 0)
    this.host.log({ at: this.host.clock.now(), kind: 'upgrade', connection: this.id, url: this.url ?? '', status })
    this.pumps.toClient.enqueue(Buffer.from(text, 'latin1'))
    if (this.state === 'connecting') this.setState('handshake')
    if (status === 101) {
      this.parsers.toClient = new FrameParser(this.host.maxFrameBytes)
      this.setState('open')
    } else {
      this.setState('raw')
      this.toRaw('toServer', `HTTP ${status}, not an upgrade`)
    }
  }

  /** Stops framing one direction: what is buffered and everything after goes through unparsed. */
  private toRaw(direction: Direction, reason: string): void {
    this.host.log({ at: this.host.clock.now(), kind: 'raw', connection: this.id, direction, reason })
    const held = this.fragments[direction]
    if (held) this.pumps[direction].enqueue(Buffer.concat(held.map((f) => f.raw)))
    this.fragments[direction] = null
    const parser = this.parsers[direction]
    this.parsers[direction] = null
    if (parser) this.pumps[direction].enqueue(parser.drain())
  }

  private onFrame(direction: Direction, frame: WsFrame): void {
    this.counters[direction].frames++
    this.host.count(direction, 'frames', 1)
    if (isControlOpcode(frame.opcode)) return this.deliver(direction, [frame])
    const held = this.fragments[direction]
    if (frame.opcode === Opcode.continuation) {
      if (this.passthrough[direction]) {
        if (frame.fin) this.passthrough[direction] = false
        return this.pumps[direction].enqueue(frame.raw)
      }
      if (!held) return this.deliver(direction, [frame]) // stray continuation: let the peer judge it
      held.push(frame)
      if (frame.fin) {
        this.fragments[direction] = null
        return this.deliver(direction, held)
      }
      if (held.reduce((n, f) => n + f.payload.length, 0) > this.host.maxMessageBytes) {
        // Too big to hold for rules: forward what we have and the rest of this message as is.
        this.fragments[direction] = null
        this.passthrough[direction] = true
        this.pumps[direction].enqueue(Buffer.concat(held.map((f) => f.raw)))
      }
      return
    }
    if (held) {
      // A new data frame inside a fragmented message is a protocol error; forward both untouched.
      this.fragments[direction] = null
      this.pumps[direction].enqueue(Buffer.concat(held.map((f) => f.raw)))
    }
    if (frame.fin) return this.deliver(direction, [frame])
    this.fragments[direction] = [frame]
  }

  private deliver(direction: Direction, frames: WsFrame[]): void {
    const first = frames[0]!
    const payload = frames.length === 1 ? first.payload : Buffer.concat(frames.map((f) => f.payload))
    const view: ProxyFrame = {
      direction,
      connection: this.id,
      opcode: first.opcode,
      compressed: (first.rsv & 4) !== 0,
      fragments: frames.length,
      payload,
      text: () => payload.toString('utf8'),
      json: () => parseJson(first.opcode === Opcode.text && (first.rsv & 4) === 0 ? payload : undefined),
    }
    const action = this.host.applyRules(view)
    if (action === undefined || action === 'pass') {
      return this.pumps[direction].enqueue(frames.length === 1 ? first.raw : Buffer.concat(frames.map((f) => f.raw)))
    }
    if (action === 'drop') {
      this.counters[direction].dropped++
      return this.host.count(direction, 'dropped', 1)
    }
    if (action === 'cut') return this.cut()
    if ('close' in action) return this.closeWithCode(action.close, action.reason)
    const replacement = action.replaceWith(view)
    const specs: readonly FrameSpec[] = replacement === null ? [] : Array.isArray(replacement) ? replacement : [replacement as FrameSpec]
    this.counters[direction].replaced++
    this.host.count(direction, 'replaced', 1)
    for (const spec of specs) this.pumps[direction].enqueue(encodeFrame(spec, this.mask(direction)))
  }

  /** Client→server frames must be masked (RFC 6455 §5.3); keys come from the seeded RNG. */
  private mask(direction: Direction): Uint8Array | null {
    if (direction === 'toClient') return null
    const key = new Uint8Array(4)
    for (let i = 0; i < 4; i++) key[i] = Math.floor(this.host.random() * 256)
    return key
  }
}

function parseJson(payload: Buffer | undefined): unknown {
  if (!payload) return undefined
  try {
    return JSON.parse(payload.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}
