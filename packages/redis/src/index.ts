/**
 * @minisocket/redis — scale-out for minisocket server nodes: a Broker (history on Redis Streams,
 * fan-out on pub/sub) and a PresenceStore shared by every node on the same Redis.
 *
 * @example
 * import { createServer } from '@minisocket/server'
 * import { createRedisEngine } from '@minisocket/redis'
 * const engine = createRedisEngine({ url: 'redis://127.0.0.1:6379', prefix: 'chat:' })
 * const server = createServer({ port: 8080, broker: engine.broker, presence: engine.presence })
 * await server.listen()
 */
import type { Logger } from '@minisocket/server'
import { RedisBroker } from './broker.js'
import type { ConnectionOptions } from './connection.js'
import { Keys } from './keys.js'
import { RedisPresence } from './presence.js'

export { RedisBroker, type LinkState, type RedisBrokerOptions } from './broker.js'
export { RedisPresence, type RedisPresenceOptions } from './presence.js'
export { EngineUnavailableError } from './errors.js'
export { backoffDelay } from './connection.js'
export { Keys } from './keys.js'

export interface RedisEngineOptions {
  /** e.g. `redis://:password@10.0.0.5:6379/0`. */
  url: string
  /** Prepended to every key and pub/sub channel, so several apps can share one Redis. Default 'minisocket:'. */
  prefix?: string
  /** A command (publish, history read, presence) fails with EngineUnavailableError after this. Default 2000 ms. */
  commandTimeoutMs?: number
  /** broker.start() and the presence store's first use give up after this. Default 10 000 ms. */
  connectTimeoutMs?: number
  /** Reconnect backoff: doubling from base to max, equal jitter. Defaults 50 ms and 2000 ms. */
  reconnectBaseMs?: number
  reconnectMaxMs?: number
  /** How often expired presence members are swept into leaves. Default 1000 ms. */
  presenceSweepMs?: number
  /** Epoch generator (tests pin it). Default 12 random hex characters. */
  newEpoch?: () => string
  /**
   * Keep stream epochs (and so recovery) across a Redis restart or failover. Only safe when
   * Redis cannot lose acknowledged writes: `appendonly yes` + `appendfsync always`, no
   * asynchronous failover. Default false: a stream written by an earlier Redis process (run_id)
   * starts a new epoch, so clients get recovered:false rather than a possible silent gap.
   */
  durableRedis?: boolean
  logger?: Logger
}

export interface RedisEngine {
  broker: RedisBroker
  presence: RedisPresence
}

/** The broker and presence store for one server node. Nothing connects until broker.start() / first presence use. */
export function createRedisEngine(options: RedisEngineOptions): RedisEngine {
  if (typeof options?.url !== 'string' || options.url === '') throw new TypeError('createRedisEngine: `url` is required, e.g. redis://127.0.0.1:6379')
  const keys = new Keys(options.prefix ?? 'minisocket:')
  const connection: ConnectionOptions = {
    url: options.url,
    commandTimeoutMs: options.commandTimeoutMs ?? 2000,
    reconnectBaseMs: options.reconnectBaseMs ?? 50,
    reconnectMaxMs: options.reconnectMaxMs ?? 2000,
    logger: options.logger,
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000
  const broker = new RedisBroker({
    keys,
    connection,
    connectTimeoutMs,
    ...(options.newEpoch === undefined ? {} : { newEpoch: options.newEpoch }),
    ...(options.durableRedis === undefined ? {} : { durableRedis: options.durableRedis }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  })
  const presence = new RedisPresence({
    keys,
    connection,
    connectTimeoutMs,
    sweepIntervalMs: options.presenceSweepMs ?? 1000,
    // An expired member (its node crashed or stalled past the ttl) leaves on every node.
    onExpired: (channel, member) => {
      broker.publishLeave(channel, member).catch((err: unknown) => options.logger?.warn('redis presence: leave for an expired member not published', { channel, error: err instanceof Error ? err.message : String(err) }))
    },
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  })
  return { broker, presence }
}
