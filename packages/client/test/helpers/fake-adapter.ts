/**
 * A scripted platform socket for unit tests of the core: the test plays the server.
 *
 * How to use (most → least common):
 * - `await h.connect()`: connect() + socket opens + the server answers `connected`.
 * - `h.socket.receive({ type: 'pub', ... })`: push a server frame.
 * - `h.socket.sent` / `h.socket.last('publish')`: what the client sent (parsed).
 * - `h.socket.serverClose(4000)`, `h.socket.error()`: end it the way a platform would.
 * - `h.clock.advance(ms)`: move time (FakeClock); `await flush()` lets promise chains settle.
 */
import { FakeClock } from '@minisocket/testkit'
import { createClient } from '../../src/core/client.js'
import type { OpenOptions, SocketAdapter, SocketHandle, SocketHandlers } from '../../src/core/adapter.js'
import type { StateChange, ClientState } from '../../src/core/states.js'
import type { ClientOptions } from '../../src/core/types.js'

export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export class FakeSocket implements SocketHandle {
  readonly sent: any[] = []
  closedWith: { code: number; reason: string } | undefined
  constructor(
    readonly url: string,
    readonly options: OpenOptions,
    readonly handlers: SocketHandlers,
  ) {}

  send(data: string | ArrayBuffer): void {
    if (this.closedWith) throw new Error('send on a closed socket')
    this.sent.push(JSON.parse(data as string))
  }
  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason }
  }
  open(): void {
    this.handlers.onOpen()
  }
  receive(frame: object | string): void {
    this.handlers.onMessage(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }
  serverClose(code: number, reason = ''): void {
    this.handlers.onClose(code, reason)
  }
  error(): void {
    this.handlers.onError(new Error('boom'))
  }
  last(type: string): any {
    return this.sent.filter((f) => f.type === type).at(-1)
  }
  all(type: string): any[] {
    return this.sent.filter((f) => f.type === type)
  }
  /** Opens and answers the connect frame with `connected` (overridable fields). */
  accept(extra: Record<string, unknown> = {}): void {
    this.open()
    const c = this.last('connect')
    if (!c) throw new Error('no connect frame sent')
    this.receive({ type: 'connected', id: c.id, version: 1, session: 'sess-1', client: 'c1', user: '', time: 0, ping: 25_000, pongTimeout: 10_000, resumeWindow: 30_000, maxMessageSize: 65_536, resumed: false, ...extra })
  }
  /** Answers the last request of `type` with `frame` (its id filled in). */
  reply(type: string, frame: Record<string, unknown>): void {
    const req = this.last(type)
    if (!req) throw new Error(`no ${type} request sent`)
    this.receive({ ...frame, id: req.id })
  }
}

export function fakeAdapter() {
  const sockets: FakeSocket[] = []
  const adapter: SocketAdapter = {
    name: 'fake',
    open(url, options, handlers) {
      const s = new FakeSocket(url, options, handlers)
      sockets.push(s)
      return s
    },
  }
  return { adapter, sockets }
}

/** A client on a fake adapter and a FakeClock; backoff random fixed at 0.5 unless given. */
export function harness(options: Partial<ClientOptions> = {}) {
  const clock = new FakeClock()
  const fake = fakeAdapter()
  const client = createClient({ url: 'ws://test/ws', adapter: fake.adapter, clock, backoff: { random: () => 0.5 }, ...options })
  const states: Array<StateChange<ClientState>> = []
  client.on('state', (s) => states.push(s))
  const h = {
    clock,
    client,
    states,
    sockets: fake.sockets,
    get socket(): FakeSocket {
      const s = fake.sockets.at(-1)
      if (!s) throw new Error('no socket opened yet')
      return s
    },
    /** connect() (if not already connecting), wait for the socket, accept the handshake. */
    async connect(extra: Record<string, unknown> = {}): Promise<void> {
      if (client.state !== 'connecting') client.connect()
      await flush()
      h.socket.accept(extra)
      await flush()
    },
  }
  return h
}

/** Seeded PRNG (mulberry32) so jitter tests replay exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
