/**
 * A lightweight raw-protocol subscriber for storms of hundreds of clients: reconnects with full
 * jitter (min 100 ms, doubling to 2 s, like the real client's defaults scaled down) or after the
 * server's `retryAfter`, resubscribes from its position, and records what it saw for the checker.
 */
import type { ClientEvent } from '@minisocket/testkit'
import { RawClient, type Frame } from './raw-client.js'

export class StormClient {
  readonly events: ClientEvent[] = []
  readonly closedAt: number[] = []
  readonly subscribedAt: number[] = []
  readonly retryAfters: number[] = []
  errors = 0
  private position: { epoch: string; offset: number } | undefined
  private client: RawClient | undefined
  private stopped = false
  private attempt = 0

  constructor(
    private readonly url: () => string,
    private readonly channel: string,
    readonly name: string,
    private readonly rng: () => number,
    private readonly backoff = { min: 100, max: 2000 },
  ) {}

  async start(): Promise<void> {
    await this.attach()
  }

  get subscribes(): number {
    return this.subscribedAt.length
  }

  stop(): void {
    this.stopped = true
    this.client?.terminate()
  }

  private delay(retryAfter: number | undefined): number {
    const { min, max } = this.backoff
    const ceiling = Math.min(max, min * 2 ** Math.min(this.attempt + 1, 20))
    return Math.max(retryAfter ?? 0, min + this.rng() * (ceiling - min))
  }

  private async attach(): Promise<void> {
    const client = await RawClient.connect(this.url(), { timeoutMs: 5000 })
    this.client = client
    let retryAfter: number | undefined
    let live = false
    client.onFrame((f: Frame) => {
      if (f.type === 'disconnect') {
        retryAfter = typeof f['retryAfter'] === 'number' ? f['retryAfter'] : undefined
        if (retryAfter !== undefined) this.retryAfters.push(retryAfter)
      } else if (f.type === 'subscribed' && f['channel'] === this.channel) {
        live = true
        this.onSubscribed(f)
      } else if (f.type === 'pub' && live && f['channel'] === this.channel && typeof f['offset'] === 'number') {
        this.take(f['epoch'] as string, f['offset'], f['data'])
      } else if (f.type === 'error') this.errors++
    })
    void client.closed.then(() => {
      this.closedAt.push(Date.now())
      if (!this.stopped) void this.reconnect(retryAfter)
    })
    const reply = await client.request(this.position === undefined ? { type: 'subscribe', channel: this.channel } : { type: 'subscribe', channel: this.channel, since: this.position })
    if (reply.type !== 'subscribed') throw new Error(`subscribe got ${JSON.stringify(reply)}`)
    this.attempt = 0
  }

  private async reconnect(retryAfter: number | undefined): Promise<void> {
    for (let i = 0; i < 200 && !this.stopped; i++) {
      await new Promise((r) => setTimeout(r, this.delay(i === 0 ? retryAfter : undefined)))
      this.attempt++
      try {
        await this.attach()
        return
      } catch {
        this.client?.terminate()
      }
    }
  }

  private onSubscribed(f: Frame): void {
    this.subscribedAt.push(Date.now())
    const epoch = f['epoch'] as string
    const offset = f['offset'] as number
    const recovered = f['recovered'] === true
    this.events.push({ kind: 'subscribed', channel: this.channel, recovered, epoch, offset })
    if (!recovered) this.position = { epoch, offset }
    for (const p of recovered ? ((f['publications'] as Array<{ offset: number; data: unknown }>) ?? []) : []) this.take(epoch, p.offset, p.data)
  }

  private take(epoch: string, offset: number, data: unknown): void {
    const d = data as { p: string; s: number }
    this.position = { epoch, offset }
    this.events.push({ kind: 'delivery', channel: this.channel, epoch, offset, publisher: d.p, seq: d.s })
  }
}
