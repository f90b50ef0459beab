/**
 * What the fault scenarios share: a publisher that numbers its publications and records what was
 * acknowledged (the checker's `acknowledged`), and recorders that turn what a subscriber saw into
 * the checker's client history. Every publication's data is `{ p: publisher, s: seq }`.
 */
import { createClient, type Client } from '@minisocket/client/node'
import { checkHistory, type ClientEvent, type ClientHistory, type HistoryReport, type Publication } from '@minisocket/testkit'
import WebSocket from 'ws'
import type { Figures } from './figures.js'
import { RawClient } from './raw-client.js'

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `ok` every 10 ms; fails the test with `what` after `timeoutMs`. */
export async function waitUntil(ok: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`)
    await sleep(10)
  }
}

export interface PublisherOptions {
  /** Node URLs; after a failure the publisher moves to the next one. */
  urls: () => string[]
  channel: string
  id?: string
  /**
   * Re-send an unacknowledged publication with the same `mid` (G5) until acked. Default false:
   * at most once — an attempt cut by a crash is simply not acknowledged (memory nodes lose their
   * dedupe store with the process, so a re-send could land twice across epochs).
   */
  retry?: boolean
}

/** Publishes `{p, s}` for s = 1, 2, ... over the raw protocol; survives node crashes. */
export class Publisher {
  readonly acknowledged: Publication[] = []
  attempted = 0
  retries = 0
  duplicatesAcked = 0
  private client: RawClient | undefined
  private node = 0
  private seq = 0
  readonly id: string

  constructor(private readonly options: PublisherOptions) {
    this.id = options.id ?? 'pub'
  }

  private async connection(deadline: number): Promise<RawClient> {
    while (Date.now() < deadline) {
      if (this.client?.open) return this.client
      const urls = this.options.urls()
      try {
        this.client = await RawClient.connect(urls[this.node % urls.length] as string, { token: this.id, timeoutMs: 2000 })
        return this.client
      } catch {
        this.node++
        await sleep(25)
      }
    }
    throw new Error(`publisher ${this.id}: no node reachable`)
  }

  /** Publishes the next sequence number; true when acknowledged. */
  async publishNext(deadlineMs = 30_000): Promise<boolean> {
    const seq = ++this.seq
    this.attempted++
    const deadline = Date.now() + deadlineMs
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      if (attempt > 0) this.retries++
      let client: RawClient
      try {
        client = await this.connection(deadline)
      } catch {
        return false
      }
      try {
        const ack = await client.request({ type: 'publish', channel: this.options.channel, data: { p: this.id, s: seq }, mid: `${this.id}-${seq}` }, 3000)
        if (ack.type === 'ack' && typeof ack['offset'] === 'number') {
          if (ack['duplicate'] === true) this.duplicatesAcked++
          this.acknowledged.push({ channel: this.options.channel, epoch: ack['epoch'] as string, offset: ack['offset'], publisher: this.id, seq })
          return true
        }
      } catch {
        client.terminate()
        this.node++
      }
      if (this.options.retry !== true) return false
      await sleep(20)
    }
    return false
  }

  /** Publishes at about `perSecond` until `until()` is true or `maxCount` were attempted. */
  async run(perSecond: number, until: () => boolean, maxCount = 1_000_000): Promise<void> {
    const started = Date.now()
    while (!until() && this.attempted < maxCount) {
      await this.publishNext()
      const due = started + (this.attempted * 1000) / perSecond
      if (due > Date.now()) await sleep(due - Date.now())
    }
  }

  stop(): void {
    this.client?.terminate()
  }
}

/** A real minisocket client (Node entry) subscribed to `channel`, recording for the checker. */
export interface Subscriber {
  client: Client
  name: string
  events: ClientEvent[]
  /** Count of subscribed events (first + resubscribes). */
  subscribes(): number
  /** Time (ms since epoch) of every `subscribed` event. */
  subscribedAt: number[]
  disconnectedAt: number[]
  delivered(): number
  /** Publications the client itself dropped as duplicates (offset already seen): before dedupe. */
  duplicatesDropped(): number
  lastOffset(): { epoch: string; offset: number } | undefined
}

export function subscriber(url: string | (() => string), channel: string, name: string, options: { backoff?: { min: number; max: number }; token?: string } = {}): Subscriber {
  let dropped = 0
  const count = (msg: string): void => {
    if (msg.startsWith('duplicate publication dropped')) dropped++
  }
  const client = createClient({
    url: typeof url === 'string' ? url : url(),
    // The client drops a redelivered offset before the app sees it (G3); count those.
    logger: { debug: count, info: count, warn: () => undefined, error: () => undefined },
    WebSocket,
    backoff: options.backoff ?? { min: 20, max: 500 },
    timeout: 3000,
    ...(options.token === undefined ? {} : { token: () => options.token }),
  })
  const events: ClientEvent[] = []
  const subscribedAt: number[] = []
  const disconnectedAt: number[] = []
  let deliveries = 0
  let last: { epoch: string; offset: number } | undefined
  client.on('state', (s) => {
    if (s.to === 'disconnected' || s.to === 'connecting') disconnectedAt.push(Date.now())
  })
  client.subscribe(channel, {
    subscribed: (s) => {
      subscribedAt.push(Date.now())
      events.push({ kind: 'subscribed', channel, recovered: s.recovered, epoch: s.epoch ?? '', ...(s.offset !== undefined && { offset: s.offset }) })
      if (!s.recovered && s.epoch !== undefined && s.offset !== undefined) last = { epoch: s.epoch, offset: s.offset }
    },
    publication: (p) => {
      const d = p.data as { p: string; s: number }
      deliveries++
      last = { epoch: p.epoch ?? '', offset: p.offset ?? -1 }
      events.push({ kind: 'delivery', channel, epoch: p.epoch ?? '', offset: p.offset ?? -1, publisher: d.p, seq: d.s })
    },
  })
  client.connect()
  return {
    client,
    name,
    events,
    subscribes: () => events.filter((e) => e.kind === 'subscribed').length,
    subscribedAt,
    disconnectedAt,
    delivered: () => deliveries,
    duplicatesDropped: () => dropped,
    lastOffset: () => last,
  }
}

/** True once every subscriber has seen the last acknowledged publication (same epoch and offset, or later). */
export function caughtUp(subs: readonly Subscriber[], acknowledged: readonly Publication[]): boolean {
  const top = acknowledged[acknowledged.length - 1]
  if (top === undefined) return true
  return subs.every((s) => {
    const at = s.lastOffset()
    return at !== undefined && at.epoch === top.epoch && at.offset >= top.offset
  })
}

/** Duplicates the clients dropped themselves, before the app (and so the checker) saw them. */
export function dropped(subs: readonly Subscriber[]): number {
  return subs.reduce((n, s) => n + s.duplicatesDropped(), 0)
}

export function histories(subs: readonly Subscriber[]): ClientHistory[] {
  return subs.map((s) => ({ client: s.name, events: s.events }))
}

/** Runs the checker and returns it with the figures it contributes (`droppedByClients`: see {@link dropped}). */
export function judge(acknowledged: readonly Publication[], clients: readonly ClientHistory[], droppedByClients = 0): { report: HistoryReport; figures: Partial<Figures> } {
  const report = checkHistory({ acknowledged, clients })
  return {
    report,
    figures: {
      acked: report.acknowledged,
      lost: report.missing.length,
      dupBefore: report.duplicatesBeforeDedupe + droppedByClients,
      dupAfter: report.duplicatesAfterDedupe.length,
      recoveredTrue: report.subscribes.recoveredTrue,
      recoveredFalse: report.subscribes.recoveredFalse,
      extra: { excused: report.excused, hiddenGaps: report.hiddenGaps.length, orderViolations: report.orderViolations.length },
    },
  }
}
