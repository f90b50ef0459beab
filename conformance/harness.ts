/**
 * Frame-level test client and server fixture for the conformance suite. The client speaks raw
 * protocol frames over a plain `ws` WebSocket, checks every server frame with the protocol codec
 * (a frame the codec rejects is a conformance failure in itself), and bounds every wait.
 *
 * @example
 * await withServer({ namespaces: [{ match: 'chat:*' }] }, async (t) => {
 *   const c = await t.client()
 *   await c.handshake()
 *   const sub = await c.call({ type: 'subscribe', channel: 'chat:a' }, 'subscribed')
 * })
 */
import { type ClientFrame, decodeServerFrame, defaultCodecLimits, type ServerFrame } from '@minisocket/protocol'
import { createServer, type MiniServer, type ServerOptions } from '@minisocket/server'
import WebSocket from 'ws'

/** Default bound on every wait: generous, because it only matters when something is broken. */
export const WAIT_MS = 3000

/** Server frames (history replies) may be longer than what a client may send. */
const SERVER_FRAME_LIMITS = { ...defaultCodecLimits, maxFrameLength: 16 * 1024 * 1024 }

type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>
/** A client request without its id: the client numbers requests itself. */
export type Request = ClientFrame extends infer F ? (F extends { id: number } ? Omit<F, 'id'> : never) : never

export interface ClientOptions {
  /** Extra upgrade headers, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>
  origin?: string
  /** Query string appended to the URL, without '?'. */
  query?: string
  /** Answer server pings with pong (default true). False makes a dead peer. */
  answerPings?: boolean
}

export interface Closed {
  code: number
  reason: string
}

/** The upgrade was refused with an HTTP status (no WebSocket was created). */
export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`)
  }
}

interface Waiter {
  match: (f: ServerFrame) => boolean
  resolve: (f: ServerFrame) => void
  reject: (e: Error) => void
}

export class FrameClient {
  /** Frames received and not yet taken by next()/call(). */
  readonly inbox: ServerFrame[] = []
  /** Every text the server sent, in order (for failure messages). */
  readonly received: string[] = []
  /** Server messages the protocol codec rejected, or binary messages. */
  readonly violations: string[] = []
  readonly closed: Promise<Closed>
  private closedWith: Closed | undefined
  private waiters: Waiter[] = []
  private lastId = 0

  private constructor(
    readonly ws: WebSocket,
    answerPings: boolean,
  ) {
    // After open, socket errors (e.g. ECONNRESET on a server kill) surface as the close event.
    ws.on('error', () => {})
    ws.on('message', (raw, isBinary) => {
      if (isBinary) {
        this.violations.push('binary message from the server')
        return
      }
      const text = raw.toString()
      this.received.push(text)
      const result = decodeServerFrame(text, SERVER_FRAME_LIMITS)
      if (!result.ok) {
        this.violations.push(`${result.error.message}: ${text.slice(0, 300)}`)
        return
      }
      const frame = result.frame
      if (frame.type === 'ping' && answerPings) {
        this.send({ type: 'pong' })
        return
      }
      const waiter = this.waiters.find((w) => w.match(frame))
      if (waiter === undefined) this.inbox.push(frame)
      else {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        waiter.resolve(frame)
      }
    })
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString() }
        for (const w of this.waiters) w.reject(new Error(`socket closed with ${code} ${reason.toString()} while waiting; received: ${this.transcript()}`))
        this.waiters = []
        resolve(this.closedWith)
      })
    })
  }

  /** Opens a WebSocket; rejects with UpgradeRefused when the server answers the upgrade with a status. */
  static open(url: string, options: ClientOptions = {}): Promise<FrameClient> {
    const full = options.query === undefined ? url : `${url}?${options.query}`
    const wsOptions: WebSocket.ClientOptions = { handshakeTimeout: WAIT_MS }
    if (options.headers !== undefined) wsOptions.headers = options.headers
    if (options.origin !== undefined) wsOptions.origin = options.origin
    const ws = new WebSocket(full, wsOptions)
    const client = new FrameClient(ws, options.answerPings ?? true)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client))
      ws.once('unexpected-response', (req, res) => {
        req.destroy()
        reject(new UpgradeRefused(res.statusCode ?? 0))
      })
      ws.once('error', (err) => reject(err))
    })
  }

  nextId(): number {
    this.lastId += 1
    return this.lastId
  }

  /** Sends a frame, or raw text/bytes to test hostile input. */
  send(frame: ClientFrame | string | Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    this.ws.send(typeof frame === 'string' || frame instanceof Uint8Array ? frame : JSON.stringify(frame))
  }

  /** Sends a request with the next id and waits for the frame answering it (reply or error). */
  async request(frame: Request, timeoutMs = WAIT_MS): Promise<ServerFrame> {
    const id = this.nextId()
    this.send({ ...frame, id } as ClientFrame)
    return this.next((f) => 'id' in f && f.id === id, timeoutMs, `reply to ${frame.type} #${id}`)
  }

  /** Like request(), but the reply must be of `type` (an error reply fails with its code). */
  async call<T extends ServerFrame['type']>(frame: Request, type: T, timeoutMs = WAIT_MS): Promise<FrameOf<T>> {
    const reply = await this.request(frame, timeoutMs)
    if (reply.type !== type) throw new Error(`${frame.type} got ${JSON.stringify(reply)}, expected ${type}`)
    return reply as FrameOf<T>
  }

  /** The connect handshake: resolves with `connected` (an error or close fails). */
  async handshake(extra: Partial<Omit<ClientFrame & { type: 'connect' }, 'type' | 'id'>> = {}): Promise<FrameOf<'connected'>> {
    return this.call({ type: 'connect', versions: [1], ...extra }, 'connected')
  }

  /** The first frame (buffered or future) of `type` matching `where`; taken from the inbox. */
  nextOf<T extends ServerFrame['type']>(type: T, where: (f: FrameOf<T>) => boolean = () => true, timeoutMs = WAIT_MS): Promise<FrameOf<T>> {
    return this.next((f) => f.type === type && where(f as FrameOf<T>), timeoutMs, type) as Promise<FrameOf<T>>
  }

  next(match: (f: ServerFrame) => boolean, timeoutMs = WAIT_MS, what = 'frame'): Promise<ServerFrame> {
    const i = this.inbox.findIndex(match)
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as ServerFrame)
    if (this.closedWith !== undefined) return Promise.reject(new Error(`waiting for ${what}, but closed with ${this.closedWith.code}; received: ${this.transcript()}`))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        reject(new Error(`no ${what} within ${timeoutMs} ms; received: ${this.transcript()}`))
      }, timeoutMs)
      const waiter: Waiter = {
        match,
        resolve: (f) => {
          clearTimeout(timer)
          resolve(f)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      }
      this.waiters.push(waiter)
    })
  }

  /** Resolves with the frames of `type` matching `where` that arrive within `ms` (normally none). */
  async collect<T extends ServerFrame['type']>(type: T, ms: number, where: (f: FrameOf<T>) => boolean = () => true): Promise<Array<FrameOf<T>>> {
    await new Promise((r) => setTimeout(r, ms))
    const found = this.inbox.filter((f) => f.type === type && where(f as FrameOf<T>)) as Array<FrameOf<T>>
    for (const f of found) this.inbox.splice(this.inbox.indexOf(f), 1)
    return found
  }

  /** Waits for the close, bounded. */
  async waitClosed(timeoutMs = WAIT_MS): Promise<Closed> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms; received: ${this.transcript()}`)), timeoutMs)
    })
    try {
      return await Promise.race([this.closed, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  close(code = 1000, reason = ''): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason)
  }

  /** Kills the TCP connection without a close frame: the server sees an abnormal drop (1006). */
  drop(): void {
    this.ws.terminate()
  }

  transcript(): string {
    return this.received.slice(-12).join('\n  ') || '(nothing)'
  }
}

export interface TestServer {
  readonly server: MiniServer
  readonly url: string
  /** Opens a client; it is killed when the test ends. */
  client(options?: ClientOptions): Promise<FrameClient>
  /** Opens a client and completes the handshake. */
  connected(options?: ClientOptions & { connect?: Parameters<FrameClient['handshake']>[0] }): Promise<{ c: FrameClient; hello: FrameOf<'connected'> }>
}

/** Runs `fn` against a fresh server on 127.0.0.1:0; the server and every client are closed in finally. */
export async function withServer<T>(options: ServerOptions, fn: (t: TestServer) => Promise<T>): Promise<T> {
  const server = createServer({ ...options, port: 0, host: '127.0.0.1' })
  const clients: FrameClient[] = []
  try {
    await server.listen()
    const url = `ws://127.0.0.1:${server.port}${options.path ?? '/ws'}`
    const t: TestServer = {
      server,
      url,
      async client(clientOptions) {
        const c = await FrameClient.open(url, clientOptions)
        clients.push(c)
        return c
      },
      async connected(clientOptions = {}) {
        const c = await t.client(clientOptions)
        return { c, hello: await c.handshake(clientOptions.connect) }
      },
    }
    const result = await fn(t)
    for (const c of clients) if (c.violations.length > 0) throw new Error(`server sent frames the codec rejects:\n${c.violations.join('\n')}`)
    return result
  } finally {
    for (const c of clients) c.drop()
    await server.close({ drainMs: 0 })
  }
}

/** The HTTP status an upgrade gets: 101 when the WebSocket opened (it is closed at once). */
export async function upgradeStatus(url: string, options: ClientOptions = {}): Promise<number> {
  try {
    const c = await FrameClient.open(url, options)
    c.drop()
    return 101
  } catch (err) {
    if (err instanceof UpgradeRefused) return err.status
    throw err
  }
}
