/**
 * Single-node broker: history, idempotency and fan-out in process memory. Publishing appends
 * and delivers in one synchronous step, so offsets are assigned in delivery order (G1/G6).
 * @minisocket/redis implements the same `Broker` for many nodes.
 */
import type { Json, PresenceMember, PublisherInfo } from '@minisocket/protocol'
import type { Clock } from '../api.js'
import { systemClock } from '../clock.js'
import { IdempotencyStore } from './idempotency.js'
import { MemoryHistory } from './memory-history.js'
import type { Broker, BrokerHandler, HistoryOptions, HistoryQuery, HistoryResult, PublishOptions, PublishResult, StreamPublication } from './types.js'

/** Default idempotency window when a publish gives a key without a TTL. */
const DEFAULT_IDEMPOTENCY_TTL_MS = 10 * 60_000

export interface MemoryBrokerOptions {
  clock?: Clock
  /** Epoch generator (tests pin it); default: 12 random hex characters. */
  newEpoch?: () => string
  /** Most idempotency keys remembered at once. Default 100 000. */
  maxIdempotencyKeys?: number
}

export class MemoryBroker implements Broker {
  private handler: BrokerHandler | undefined
  private readonly channels = new Set<string>()
  private readonly streams: MemoryHistory
  private readonly seen: IdempotencyStore
  private closed = false
  private publishes = 0

  constructor(options: MemoryBrokerOptions = {}) {
    const clock = options.clock ?? systemClock
    this.streams = new MemoryHistory(clock, options.newEpoch)
    this.seen = new IdempotencyStore(clock, options.maxIdempotencyKeys)
  }

  async start(handler: BrokerHandler): Promise<void> {
    this.handler = handler
  }

  async subscribe(channel: string): Promise<void> {
    this.assertOpen()
    this.channels.add(channel)
  }

  async unsubscribe(channel: string): Promise<void> {
    this.channels.delete(channel)
  }

  async publish(channel: string, data: Json, info: PublisherInfo | undefined, options: PublishOptions): Promise<PublishResult> {
    this.assertOpen()
    const key = options.idempotencyKey
    if (key !== undefined) {
      const first = this.seen.get(key)
      if (first !== undefined) return { ...first, duplicate: true }
    }
    const result: PublishResult = { duplicate: false }
    const publication: StreamPublication = { data }
    if (info !== undefined) publication.info = info
    if (options.history !== undefined && options.history.size > 0) {
      const stored = this.streams.append(channel, data, info, options.history)
      result.epoch = stored.epoch
      result.offset = stored.publication.offset as number
      publication.epoch = stored.epoch
      publication.offset = stored.publication.offset as number
    }
    if (key !== undefined) this.seen.set(key, result, options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS)
    if (++this.publishes % 1000 === 0) this.streams.sweep()
    if (this.channels.has(channel)) this.handler?.onPublication(channel, publication)
    return result
  }

  async publishJoin(channel: string, member: PresenceMember): Promise<void> {
    this.assertOpen()
    if (this.channels.has(channel)) this.handler?.onJoin(channel, member)
  }

  async publishLeave(channel: string, member: PresenceMember): Promise<void> {
    this.assertOpen()
    if (this.channels.has(channel)) this.handler?.onLeave(channel, member)
  }

  async history(channel: string, query: HistoryQuery, options: HistoryOptions): Promise<HistoryResult> {
    this.assertOpen()
    return this.streams.read(channel, query, options)
  }

  async removeHistory(channel: string): Promise<void> {
    this.streams.remove(channel)
  }

  async close(): Promise<void> {
    this.closed = true
    this.channels.clear()
    this.handler = undefined
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('broker closed')
  }
}
