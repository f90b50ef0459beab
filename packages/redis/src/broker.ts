/**
 * The Redis broker: history on Redis Streams, fan-out on pub/sub, one Lua script per publish.
 *
 * State machine of the node's pub/sub link (docs/scaling.md has the table):
 *   idle ─start→ connecting ─ready→ live ─drop→ lost ─ready (resubscribed)→ live (+ onResync)
 *   any ─close→ closed
 * Pub/sub is at most once: whatever was published while the link was `lost` never reaches this
 * node. So when the link comes back (node-redis has re-sent SUBSCRIBE for every channel before it
 * reports ready), the handler's onResync() tells the server to make its clients recover by offset.
 */
import { randomBytes } from 'node:crypto'
import type { Json, PresenceMember, PublisherInfo } from '@minisocket/protocol'
import type { Broker, BrokerHandler, HistoryOptions, HistoryQuery, HistoryResult, Logger, PublishOptions, PublishResult } from '@minisocket/server'
import { makeClient, Script, type ConnectionOptions, type RedisClient } from './connection.js'
import { EngineUnavailableError, guard, withTimeout } from './errors.js'
import type { Keys } from './keys.js'
import { decodeBody, decodeMessage, encodeBody, encodeMember } from './messages.js'
import { HISTORY_SCRIPT, PUBLISH_SCRIPT } from './scripts.js'
import { checkChannel, checkNonNegativeInt, checkPositiveInt, historyOf } from './validate.js'

export type LinkState = 'idle' | 'connecting' | 'live' | 'lost' | 'closed'

/** Default idempotency window when a publish gives a key without a TTL (as the memory broker). */
const DEFAULT_IDEMPOTENCY_TTL_MS = 10 * 60_000

const publishScript = new Script(PUBLISH_SCRIPT)
const historyScript = new Script(HISTORY_SCRIPT)

export interface RedisBrokerOptions {
  keys: Keys
  connection: ConnectionOptions
  /** start() gives up after this long if Redis cannot be reached (it keeps retrying behind). */
  connectTimeoutMs: number
  /** Epoch generator (tests may pin it); default 12 random hex characters. */
  newEpoch?: () => string
  /** Keep epochs across a Redis restart (see RedisEngineOptions.durableRedis). Default false. */
  durableRedis?: boolean
  logger?: Logger
}

function randomEpoch(): string {
  return randomBytes(6).toString('hex')
}

export class RedisBroker implements Broker {
  private state: LinkState = 'idle'
  private handler: BrokerHandler | undefined
  /** Channels this node wants; messages for any other channel are dropped. */
  private readonly wanted = new Set<string>()
  private readonly commands: RedisClient
  private readonly subscriber: RedisClient
  private readonly newEpoch: () => string
  private readonly trust: string
  /** Times the pub/sub link came back after a drop (each one fired onResync). */
  resyncs = 0

  constructor(private readonly options: RedisBrokerOptions) {
    this.newEpoch = options.newEpoch ?? randomEpoch
    this.trust = options.durableRedis === true ? '1' : '0'
    this.commands = makeClient(options.connection, 'broker')
    this.subscriber = makeClient(options.connection, 'subscriber')
    this.subscriber.on('ready', () => this.setState('live'))
    this.subscriber.on('reconnecting', () => this.setState('lost'))
  }

  get linkState(): LinkState {
    return this.state
  }

  async start(handler: BrokerHandler): Promise<void> {
    if (this.state !== 'idle') throw new Error(`RedisBroker.start: already ${this.state}`)
    this.handler = handler
    this.setState('connecting')
    const connecting = Promise.all([this.commands.connect(), this.subscriber.connect()])
    // Without this, an unreachable Redis would leave a rejected promise unhandled after the timeout.
    connecting.catch(() => undefined)
    await withTimeout('start', connecting, this.options.connectTimeoutMs)
  }

  async subscribe(channel: string): Promise<void> {
    checkChannel(channel)
    this.assertOpen()
    if (this.wanted.has(channel)) return
    if (!this.subscriber.isReady) throw new EngineUnavailableError('subscribe', new Error('pub/sub connection is down'))
    // Wanted before SUBSCRIBE: messages can arrive in the same read as the SUBSCRIBE reply.
    this.wanted.add(channel)
    try {
      await withTimeout('subscribe', guard('subscribe', () => this.subscriber.subscribe(this.options.keys.pubsub(channel), this.onMessage)), this.options.connection.commandTimeoutMs)
    } catch (err) {
      this.wanted.delete(channel)
      throw err
    }
  }

  async unsubscribe(channel: string): Promise<void> {
    checkChannel(channel)
    if (!this.wanted.delete(channel)) return
    // `wanted` already stops delivery; if Redis is down the SUBSCRIBE dies with the connection.
    if (this.subscriber.isReady) await this.subscriber.unsubscribe(this.options.keys.pubsub(channel), this.onMessage).catch(() => undefined)
  }

  async publish(channel: string, data: Json, info: PublisherInfo | undefined, options: PublishOptions): Promise<PublishResult> {
    checkChannel(channel)
    const history = historyOf(options.history)
    const key = options.idempotencyKey
    const idemTtl = key === undefined ? 0 : (options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS)
    if (key !== undefined) checkPositiveInt('idempotencyTtlMs', idemTtl)
    this.assertOpen()
    const keys = this.options.keys
    const reply = await guard('publish', () =>
      publishScript.run(
        this.commands,
        [keys.meta(channel), keys.stream(channel), key === undefined ? keys.meta(channel) : keys.idempotency(channel, key)],
        [keys.pubsub(channel), encodeBody(data, info), String(history?.size ?? 0), String(history?.ttlMs ?? 0), this.newEpoch(), String(idemTtl), this.trust],
      ),
    )
    const [duplicate, position] = reply as [number, string]
    const result: PublishResult = { duplicate: duplicate === 1 }
    if (position !== '') {
      const colon = position.lastIndexOf(':')
      result.epoch = position.slice(0, colon)
      result.offset = Number(position.slice(colon + 1))
    }
    return result
  }

  async publishJoin(channel: string, member: PresenceMember): Promise<void> {
    await this.publishMember('join', channel, member)
  }

  async publishLeave(channel: string, member: PresenceMember): Promise<void> {
    await this.publishMember('leave', channel, member)
  }

  async history(channel: string, query: HistoryQuery, options: HistoryOptions): Promise<HistoryResult> {
    checkChannel(channel)
    checkPositiveInt('history.size', options.size)
    checkPositiveInt('history.ttlMs', options.ttlMs)
    if (query.since !== undefined) checkNonNegativeInt('since.offset', query.since.offset)
    if (query.limit !== undefined) checkNonNegativeInt('limit', query.limit)
    this.assertOpen()
    const keys = this.options.keys
    const since = query.since
    const reply = await guard('history', () =>
      historyScript.run(this.commands, [keys.meta(channel), keys.stream(channel)], [this.newEpoch(), String(options.ttlMs), since?.epoch ?? '', String(since?.offset ?? 0), query.limit === undefined ? '' : String(query.limit), this.trust]),
    )
    const [epoch, offset, firstOffset, flat] = reply as [string, number, number, string[]]
    const publications = []
    for (let i = 0; i + 1 < flat.length; i += 2) {
      publications.push({ ...decodeBody(flat[i + 1] as string), offset: Number.parseInt(flat[i] as string, 10) })
    }
    return { epoch, offset, publications, firstOffset }
  }

  async removeHistory(channel: string): Promise<void> {
    checkChannel(channel)
    this.assertOpen()
    const keys = this.options.keys
    await guard('removeHistory', () => this.commands.del([keys.meta(channel), keys.stream(channel)]))
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.setState('closed')
    this.wanted.clear()
    this.handler = undefined
    await Promise.all([closeClient(this.commands), closeClient(this.subscriber)])
  }

  private async publishMember(kind: 'join' | 'leave', channel: string, member: PresenceMember): Promise<void> {
    checkChannel(channel)
    this.assertOpen()
    await guard(kind, () => this.commands.publish(this.options.keys.pubsub(channel), encodeMember(kind, member)))
  }

  private readonly onMessage = (message: string, pubsubChannel: string): void => {
    const channel = this.options.keys.channelOf(pubsubChannel)
    if (channel === undefined || !this.wanted.has(channel) || this.handler === undefined) return
    const decoded = decodeMessage(message)
    if (decoded === undefined) {
      this.options.logger?.warn('redis broker: malformed pub/sub message dropped', { channel })
      return
    }
    try {
      if (decoded.kind === 'publication') this.handler.onPublication(channel, decoded.publication)
      else if (decoded.kind === 'join') this.handler.onJoin(channel, decoded.member)
      else this.handler.onLeave(channel, decoded.member)
    } catch (err) {
      // A throwing handler must not break the Redis client's reply parsing for everyone else.
      this.options.logger?.error('redis broker: handler threw', { channel, error: err instanceof Error ? err.message : String(err) })
    }
  }

  /** The one place the link state changes. */
  private setState(next: LinkState): void {
    const prev = this.state
    if (prev === next || prev === 'closed') return
    // Only a drop after being live loses messages; `ready` while still connecting is the first connect.
    if (next === 'lost' && prev !== 'live') return
    this.state = next
    this.options.logger?.info('redis broker link', { from: prev, to: next })
    if (prev === 'lost' && next === 'live') {
      this.resyncs++
      try {
        this.handler?.onResync?.()
      } catch (err) {
        this.options.logger?.error('redis broker: onResync threw', { error: err instanceof Error ? err.message : String(err) })
      }
    }
  }

  private assertOpen(): void {
    if (this.state === 'closed') throw new Error('RedisBroker: closed')
  }
}

/** Graceful QUIT-like close, falling back to destroying the socket when Redis does not answer. */
export async function closeClient(client: RedisClient): Promise<void> {
  if (!client.isOpen) return
  try {
    await withTimeout('close', client.close(), 1000)
  } catch {
    if (client.isOpen) client.destroy()
  }
}
