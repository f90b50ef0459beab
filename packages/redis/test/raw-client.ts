/**
 * A protocol client for the multi-node tests, speaking raw frames over `ws`: handshake, pong,
 * subscribe with `since`, publish with `mid`, presence. `Follower` adds what a real client does
 * across nodes: on a drop it reconnects to the next node and resubscribes from its position.
 */
import WebSocket from 'ws'

export type Frame = Record<string, unknown> & { type: string }
export interface Delivery {
  epoch: string
  offset: number
  data: unknown
}

const WAIT_MS = 5000

export class RawClient {
  readonly frames: Frame[] = []
  /** The `connected` reply (client id, session, ...). */
  connected: Frame = { type: 'none' }
  readonly closed: Promise<{ code: number }>
  private lastId = 0
  private readonly waiting = new Map<number, (f: Frame) => void>()
  private listeners: Array<(f: Frame) => void> = []

  private constructor(private readonly ws: WebSocket) {
    ws.on('error', () => undefined)
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as Frame
      if (frame.type === 'ping') return this.send({ type: 'pong' })
      this.frames.push(frame)
      const id = typeof frame.id === 'number' ? frame.id : undefined
      const waiter = id === undefined ? undefined : this.waiting.get(id)
      if (id !== undefined && waiter !== undefined) {
        this.waiting.delete(id)
        waiter(frame)
      }
      for (const l of this.listeners) l(frame)
    })
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve({ code })))
  }

  /** Opens and completes the connect handshake (the token becomes the user id in the fixture). */
  static async connect(url: string, token?: string): Promise<RawClient> {
    const ws = new WebSocket(url, { handshakeTimeout: WAIT_MS })
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    const client = new RawClient(ws)
    const connected = await client.request(token === undefined ? { type: 'connect', versions: [1] } : { type: 'connect', versions: [1], token })
    if (connected.type !== 'connected') throw new Error(`connect got ${JSON.stringify(connected)}`)
    client.connected = connected
    return client
  }

  onFrame(listener: (f: Frame) => void): void {
    this.listeners.push(listener)
  }

  send(frame: Record<string, unknown>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame))
  }

  /** Sends a request and resolves with the reply carrying its id; rejects on close or after 5 s. */
  request(frame: Record<string, unknown>, timeoutMs = WAIT_MS): Promise<Frame> {
    const id = ++this.lastId
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new Error(`no reply to ${String(frame.type)} #${id} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiting.set(id, (f) => {
        clearTimeout(timer)
        resolve(f)
      })
      void this.closed.then(({ code }) => {
        clearTimeout(timer)
        if (this.waiting.delete(id)) reject(new Error(`closed with ${code} before the reply to ${String(frame.type)}`))
      })
      this.send({ ...frame, id })
    })
  }

  close(): void {
    this.ws.terminate()
  }
}

export interface SubscribeResult {
  node: string
  recovered: boolean | undefined
  epoch: string
  offset: number
  replayed: number
  /** Date.now() when the reply arrived. */
  at: number
}

/**
 * Follows one channel across nodes like a real client: every publication it receives, live or
 * replayed, in `deliveries`; every (re)subscribe result in `subscribes`. On a drop it moves to
 * the next node in `urls` and resubscribes from its position (bounded attempts).
 */
export class Follower {
  readonly deliveries: Delivery[] = []
  readonly subscribes: SubscribeResult[] = []
  /** Live publications whose offset did not follow the last one (G3 would make a client recover). */
  readonly jumps: Array<{ after: number; got: number }> = []
  client: RawClient | undefined
  private position: { epoch: string; offset: number } | undefined
  private stopped = false
  private moving: Promise<void> | undefined

  constructor(
    private readonly urls: () => string[],
    private readonly channel: string,
    public nodeIndex: number,
  ) {}

  async start(): Promise<void> {
    await this.attach()
  }

  /** Settles once any reconnect in progress is done. */
  async settled(): Promise<void> {
    while (this.moving !== undefined) await this.moving
  }

  stop(): void {
    this.stopped = true
    this.client?.close()
  }

  private async attach(): Promise<void> {
    const url = this.urls()[this.nodeIndex % this.urls().length] as string
    const client = await RawClient.connect(url)
    this.client = client
    // Handled in arrival order inside the frame listener: ws may emit the reply and the live
    // publications behind it in one tick, before an `await` on the reply would resume.
    let live = false
    client.onFrame((f) => {
      if (f.channel !== this.channel) return
      if (f.type === 'subscribed') {
        live = true
        this.onSubscribed(url, f)
      } else if (f.type === 'pub' && live && typeof f.offset === 'number') {
        if (this.position !== undefined && f.epoch !== this.position.epoch) {
          // A live publication of another epoch: the stream followed so far is gone (Redis
          // restarted empty). Do what @minisocket/client does (subscription.ts pub(), G3): take
          // nothing more live, resubscribe from the old position; the server answers that with
          // recovered:false in the new epoch. Taking it here made the first resubscribe look
          // "recovered" whenever the live publication outran the node's resync (a CI flake).
          live = false
          client.close()
          return
        }
        if (this.position !== undefined && f.offset !== this.position.offset + 1) this.jumps.push({ after: this.position.offset, got: f.offset })
        this.take({ epoch: f.epoch as string, offset: f.offset, data: f.data })
      }
    })
    const reply = await client.request(this.position === undefined ? { type: 'subscribe', channel: this.channel } : { type: 'subscribe', channel: this.channel, since: this.position })
    if (reply.type !== 'subscribed') {
      client.close()
      throw new Error(`subscribe got ${JSON.stringify(reply)}`)
    }
    void client.closed.then(() => {
      if (!this.stopped) this.moving = this.moveOn().finally(() => (this.moving = undefined))
    })
  }

  private onSubscribed(url: string, reply: Frame): void {
    const replayed = (reply.publications as Array<{ offset: number; data: unknown }> | undefined) ?? []
    this.subscribes.push({ node: url, recovered: reply.recovered as boolean | undefined, epoch: reply.epoch as string, offset: reply.offset as number, replayed: replayed.length, at: Date.now() })
    if (reply.recovered !== true) {
      // First subscribe, or not recovered (the app would reload): continue from the reported top.
      this.position = { epoch: reply.epoch as string, offset: reply.offset as number }
    }
    for (const p of replayed) this.take({ epoch: reply.epoch as string, offset: p.offset, data: p.data })
  }

  private take(d: Delivery): void {
    this.deliveries.push(d)
    this.position = { epoch: d.epoch, offset: d.offset }
  }

  private async moveOn(): Promise<void> {
    for (let attempt = 0; attempt < 50 && !this.stopped; attempt++) {
      this.nodeIndex++
      try {
        await this.attach()
        return
      } catch {
        await new Promise((r) => setTimeout(r, 50 + attempt * 20))
      }
    }
  }
}
