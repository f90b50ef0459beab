/**
 * Test helpers: a server on 127.0.0.1 port 0, and a raw-frame client over a plain `ws` socket
 * with bounded waits. Every wait rejects after `WAIT_MS` with what was received so far.
 */
import { decodeServerFrame, defaultCodecLimits, type ServerFrame } from '@minisocket/protocol'
import WebSocket from 'ws'
import { createServer, type MiniServer, type ServerOptions } from '../src/index.js'

export const WAIT_MS = 3000
const SERVER_LIMITS = { ...defaultCodecLimits, maxFrameLength: 64 * 1024 * 1024 }

export async function startServer(options: ServerOptions = {}): Promise<MiniServer> {
  const server = createServer({ port: 0, host: '127.0.0.1', ...options })
  await server.listen()
  return server
}

export function wsUrl(server: MiniServer, query = ''): string {
  return `ws://127.0.0.1:${server.port}/ws${query === '' ? '' : `?${query}`}`
}

type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>

export interface Closed {
  code: number
  reason: string
}

export class TestClient {
  readonly frames: ServerFrame[] = []
  /** Every server message as it came off the wire, for tests of the wire form itself. */
  readonly texts: string[] = []
  /** Server messages the protocol codec rejected: each one is a bug. */
  readonly violations: string[] = []
  readonly closed: Promise<Closed>
  closedWith: Closed | undefined
  private waiters: Array<() => void> = []
  private lastId = 0

  private constructor(readonly ws: WebSocket) {
    ws.on('error', () => {})
    ws.on('message', (raw) => {
      this.texts.push(raw.toString())
      const decoded = decodeServerFrame(raw.toString(), SERVER_LIMITS)
      // Recorded, not thrown: a throw here would tear down the socket and hide the cause.
      if (!decoded.ok) this.violations.push(`${decoded.error.message}: ${raw.toString().slice(0, 200)}`)
      else this.frames.push(decoded.frame)
      this.wake()
    })
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString() }
        resolve(this.closedWith)
        this.wake()
      })
    })
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  /** Opens a WebSocket; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, options: { headers?: Record<string, string>; origin?: string } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const wsOptions: WebSocket.ClientOptions = { perMessageDeflate: false }
      if (options.headers !== undefined) wsOptions.headers = options.headers
      if (options.origin !== undefined) wsOptions.origin = options.origin
      const ws = new WebSocket(url, wsOptions)
      const client = new TestClient(ws)
      ws.once('open', () => resolve(client))
      ws.once('unexpected-response', (_req, res) => {
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }))
        ws.terminate()
      })
      ws.once('error', reject)
    })
  }

  /** Opens and completes the handshake; returns the `connected` frame. */
  static async connect(url: string, connect: Record<string, unknown> = {}, options: { headers?: Record<string, string>; origin?: string } = {}): Promise<{ client: TestClient; connected: FrameOf<'connected'> }> {
    const client = await TestClient.open(url, options)
    const connected = await client.request({ type: 'connect', versions: [1], ...connect }, 'connected')
    return { client, connected }
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Sends a request with a fresh id and waits for the reply of `type` (or an error) with that id. */
  async request<T extends ServerFrame['type']>(frame: Record<string, unknown>, type: T): Promise<FrameOf<T>> {
    const id = ++this.lastId
    this.send({ ...frame, id })
    const reply = await this.take((f) => 'id' in f && f.id === id && (f.type === type || f.type === 'error'))
    if (reply.type === 'error') throw Object.assign(new Error(`error ${reply.code}: ${reply.message}`), { code: reply.code })
    return reply as FrameOf<T>
  }

  /** Removes and returns the first received frame matching, waiting for it if needed. */
  take(match: (f: ServerFrame) => boolean, timeoutMs = WAIT_MS): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check)
        reject(new Error(`no matching frame within ${timeoutMs} ms; violations ${JSON.stringify(this.violations)}; got ${JSON.stringify(this.frames).slice(0, 800)}; closed ${JSON.stringify(this.closedWith)}`))
      }, timeoutMs)
      const check = (): void => {
        const i = this.frames.findIndex(match)
        if (i >= 0) {
          clearTimeout(deadline)
          resolve(this.frames.splice(i, 1)[0] as ServerFrame)
        } else if (this.closedWith !== undefined) {
          clearTimeout(deadline)
          reject(new Error(`closed ${JSON.stringify(this.closedWith)} before a matching frame; violations ${JSON.stringify(this.violations)}; got ${JSON.stringify(this.frames).slice(0, 800)}`))
        } else {
          this.waiters.push(check)
        }
      }
      check()
    })
  }

  next<T extends ServerFrame['type']>(type: T, timeoutMs = WAIT_MS): Promise<FrameOf<T>> {
    return this.take((f) => f.type === type, timeoutMs) as Promise<FrameOf<T>>
  }

  /** Waits for the close (bounded). */
  async waitClosed(timeoutMs = WAIT_MS): Promise<Closed> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 400)}`)), timeoutMs)
    })
    try {
      return await Promise.race([this.closed, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  close(code = 1000): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code)
  }

  terminate(): void {
    this.ws.terminate()
  }
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = WAIT_MS, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await predicate()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** `promise`, or a rejection after `timeoutMs` (the timer is cleared either way). */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), timeoutMs)))])
  } finally {
    clearTimeout(timer)
  }
}
