/**
 * The node's side of fan-out: which local connections subscribe to which channel, the node's
 * broker subscriptions (one per channel, however many local subscribers), and delivery.
 *
 * A publication is serialized and framed ONCE per node and wire form (`Outbound`, then
 * `engine.prepare`) and the same bytes are handed to every local subscriber of that form
 * (DESIGN.md performance principles).
 */
import { encodeCompactPub, encodeFrame, type PresenceMember, type ServerFrame } from '@minisocket/protocol'
import type { Logger } from './api.js'
import type { Broker, BrokerHandler, StreamPublication } from './engine/types.js'
import type { StatsCollector } from './stats.js'
import type { PreparedMessage, TransportEngine } from './transport/types.js'

/** Where a delivered message sits in its channel's stream (publications on channels with history). */
export interface StreamMark {
  epoch?: string
  offset?: number
}

/**
 * One message for the local subscribers of a channel. It is framed once per wire form, and only
 * when a subscriber needs that form: the v1 object, and for a `pub`, the v2 compact array with
 * or without its epoch. A node whose clients all speak v2 frames a publication once.
 */
export class Outbound {
  private object: PreparedMessage | undefined
  private compact: PreparedMessage | undefined
  private compactWithEpoch: PreparedMessage | undefined

  constructor(
    private readonly engine: TransportEngine,
    private readonly frame: ServerFrame,
    /** Where a publication sits in its stream; undefined for join/leave and history-less channels. */
    readonly mark: StreamMark | undefined,
  ) {}

  /** The bytes for a connection speaking `version`; `withEpoch` is v2's choice (connection.ts deliver). */
  message(version: number, withEpoch: boolean): PreparedMessage {
    const f = this.frame
    if (version < 2 || f.type !== 'pub') return (this.object ??= this.engine.prepare(encodeFrame(f)))
    if (!withEpoch || f.epoch === undefined) return (this.compact ??= this.engine.prepare(encodeCompactPub(f, false)))
    return (this.compactWithEpoch ??= this.engine.prepare(encodeCompactPub(f, true)))
  }
}

/** What the hub holds per channel and hands each message to: a connection's Subscription. */
export interface Subscriber {
  deliver(message: Outbound): void
}

export class Hub implements BrokerHandler {
  private readonly channels = new Map<string, Set<Subscriber>>()
  private readonly brokerSubscribed = new Set<string>()
  /** Per channel, the tail of its broker subscribe/unsubscribe chain, so they never overtake each other. */
  private readonly ops = new Map<string, Promise<void>>()
  private subscriptions = 0

  constructor(
    private readonly broker: Broker,
    private readonly engine: TransportEngine,
    private readonly stats: StatsCollector,
    private readonly logger: Logger,
    private readonly resync: () => void,
  ) {}

  get channelCount(): number {
    return this.channels.size
  }

  get subscriptionCount(): number {
    return this.subscriptions
  }

  /** Adds a local subscriber and resolves once the node receives the channel from the broker. */
  async subscribe(channel: string, subscriber: Subscriber): Promise<void> {
    let set = this.channels.get(channel)
    if (set === undefined) {
      set = new Set()
      this.channels.set(channel, set)
    }
    if (!set.has(subscriber)) {
      set.add(subscriber)
      this.subscriptions++
    }
    await this.sync(channel)
  }

  unsubscribe(channel: string, subscriber: Subscriber): void {
    const set = this.channels.get(channel)
    if (set === undefined || !set.delete(subscriber)) return
    this.subscriptions--
    if (set.size > 0) return
    this.channels.delete(channel)
    this.sync(channel).catch((err: unknown) => this.logger.warn('broker unsubscribe failed', { channel, error: (err as Error)?.message }))
  }

  /** Brings the broker subscription in line with whether the channel has local subscribers. */
  private sync(channel: string): Promise<void> {
    const previous = this.ops.get(channel) ?? Promise.resolve()
    const next = previous
      .catch(() => {})
      .then(async () => {
        const wanted = this.channels.has(channel)
        const held = this.brokerSubscribed.has(channel)
        if (wanted && !held) {
          await this.broker.subscribe(channel)
          this.brokerSubscribed.add(channel)
        } else if (!wanted && held) {
          this.brokerSubscribed.delete(channel)
          await this.broker.unsubscribe(channel)
        }
      })
    this.ops.set(channel, next)
    const forget = (): void => {
      if (this.ops.get(channel) === next) this.ops.delete(channel)
    }
    next.then(forget, forget)
    return next
  }

  /** Hands one message, framed at most once per wire form, to every local subscriber of the channel. */
  private fanOut(channel: string, frame: ServerFrame, mark: StreamMark | undefined): void {
    const subscribers = this.channels.get(channel)
    if (subscribers === undefined || subscribers.size === 0) return
    const message = new Outbound(this.engine, frame, mark)
    for (const subscriber of subscribers) subscriber.deliver(message)
    this.stats.messagesOut += subscribers.size
  }

  onPublication(channel: string, publication: StreamPublication): void {
    const frame: ServerFrame = { type: 'pub', channel, data: publication.data }
    if (publication.epoch !== undefined) frame.epoch = publication.epoch
    if (publication.offset !== undefined) frame.offset = publication.offset
    if (publication.info !== undefined) frame.info = publication.info
    this.fanOut(channel, frame, publication.offset === undefined ? undefined : { epoch: publication.epoch ?? '', offset: publication.offset })
  }

  onJoin(channel: string, member: PresenceMember): void {
    this.fanOut(channel, { type: 'join', channel, member }, undefined)
  }

  onLeave(channel: string, member: PresenceMember): void {
    this.fanOut(channel, { type: 'leave', channel, member }, undefined)
  }

  onResync(): void {
    this.resync()
  }
}
