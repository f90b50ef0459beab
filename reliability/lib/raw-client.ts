/**
 * A protocol client on a plain `ws` WebSocket: handshake, pong, requests by id, and every frame
 * and the close code recorded. Hostile tests use it to see exactly what the server sends.
 */
import WebSocket from 'ws'

export type Frame = Record<string, unknown> & { type: string }

export interface RawOptions {
  /** Sent in the connect frame (browsers' way); `header`/`query` tokens go in `headers` / the url. */
  token?: string
  headers?: Record<string, string>
  origin?: string
  session?: string
  /** Answer the server's pings (default true). */
  answerPings?: boolean
  timeoutMs?: number
}

export interface Closed {
  code: number
  reason: string
}

/** The upgrade was refused with an HTTP status. */
export class Refused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused: HTTP ${status}`)
  }
}

const WAIT_MS = 5000

export class RawClient {
  readonly frames: Frame[] = []
  connected: Frame | undefined
  closedWith: Closed | undefined
  readonly closed: Promise<Closed>
  private lastId = 0
  private readonly waiting = new Map<number, (f: Frame) => void>()
  private listeners: Array<(f: Frame) => void> = []

  private constructor(
    readonly ws: WebSocket,
    answerPings: boolean,
  ) {
    ws.on('error', () => undefined)
    ws.on('message', (raw) => {
      let frame: Frame
      try {
        frame = JSON.parse(raw.toString()) as Frame
      } catch {
        frame = { type: '<not json>' }
      }
      if (frame.type === 'ping') {
        if (answerPings) this.send({ type: 'pong' })
        return
      }
      this.frames.push(frame)
      if (this.frames.length > 10_000) this.frames.shift()
      const id = typeof frame.id === 'number' ? frame.id : undefined
      const waiter = id === undefined ? undefined : this.waiting.get(id)
      if (id !== undefined && waiter !== undefined) {
        this.waiting.delete(id)
        waiter(frame)
      }
      for (const l of this.listeners) l(frame)
    })
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString() }
        resolve(this.closedWith)
      }),
    )
  }

  /** Opens the WebSocket only (no connect frame). Rejects with Refused on an HTTP refusal. */
  static open(url: string, options: RawOptions = {}): Promise<RawClient> {
    const headers = { ...options.headers }
    const ws = new WebSocket(url, { handshakeTimeout: options.timeoutMs ?? WAIT_MS, headers, ...(options.origin === undefined ? {} : { origin: options.origin }) })
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        res.resume()
        ws.on('error', () => undefined)
        ws.terminate()
        reject(new Refused(res.statusCode ?? 0))
      })
      ws.once('open', () => resolve(new RawClient(ws, options.answerPings ?? true)))
      ws.once('error', reject)
    })
  }

  /** Opens and completes the connect handshake; rejects if the server closes instead. */
  static async connect(url: string, options: RawOptions = {}): Promise<RawClient> {
    const client = await RawClient.open(url, options)
    const frame: Record<string, unknown> = { type: 'connect', versions: [1] }
    if (options.token !== undefined) frame['token'] = options.token
    if (options.session !== undefined) frame['session'] = options.session
    const reply = await client.request(frame, options.timeoutMs ?? WAIT_MS)
    if (reply.type !== 'connected') {
      client.terminate()
      throw new Error(`connect got ${JSON.stringify(reply)}`)
    }
    client.connected = reply
    return client
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN
  }

  onFrame(listener: (f: Frame) => void): () => void {
    this.listeners.push(listener)
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener)
    }
  }

  send(frame: Record<string, unknown> | string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Sends a request; resolves with the reply carrying its id, rejects on close or timeout. */
  request(frame: Record<string, unknown>, timeoutMs = WAIT_MS): Promise<Frame> {
    const id = ++this.lastId
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new Error(`no reply to ${String(frame['type'])} #${id} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiting.set(id, (f) => {
        clearTimeout(timer)
        resolve(f)
      })
      void this.closed.then(({ code }) => {
        clearTimeout(timer)
        if (this.waiting.delete(id)) reject(new Error(`closed with ${code} before the reply to ${String(frame['type'])}`))
      })
      if (this.ws.readyState !== WebSocket.OPEN) {
        clearTimeout(timer)
        this.waiting.delete(id)
        reject(new Error(`not open (${String(frame['type'])})`))
        return
      }
      this.send({ ...frame, id })
    })
  }

  /** The close, or 'open' if it did not come within `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<Closed | 'open'> {
    let timer: NodeJS.Timeout | undefined
    const result = await Promise.race([this.closed, new Promise<'open'>((r) => (timer = setTimeout(() => r('open'), timeoutMs)))])
    clearTimeout(timer)
    return result
  }

  close(code = 1000): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code)
  }

  terminate(): void {
    this.ws.terminate()
  }
}
