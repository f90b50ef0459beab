/**
 * Redis connections: one node-redis client per role, with reconnect backoff, a bound on every
 * command, no offline queue (a command while Redis is down fails at once instead of piling up),
 * and an `error` listener (an unhandled 'error' event would crash the node: research S16).
 */
import { createHash } from 'node:crypto'
import { createClient } from 'redis'
import type { Logger } from '@minisocket/server'

export type RedisClient = ReturnType<typeof createClient>

export interface ConnectionOptions {
  url: string
  /** Each command fails after this long (Redis paused or unreachable). */
  commandTimeoutMs: number
  /** Reconnect delay: doubles from `baseMs` up to `maxMs`, each with equal jitter. */
  reconnectBaseMs: number
  reconnectMaxMs: number
  logger: Logger | undefined
}

/** Equal jitter: half the delay fixed, half random, so a fleet of nodes does not reconnect in step. */
export function backoffDelay(retries: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(retries, 30))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

export function makeClient(options: ConnectionOptions, role: string): RedisClient {
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs },
    socket: {
      connectTimeout: options.commandTimeoutMs,
      reconnectStrategy: (retries: number) => backoffDelay(retries, options.reconnectBaseMs, options.reconnectMaxMs),
    },
  })
  let lastError = ''
  client.on('error', (err: unknown) => {
    // Logged once per distinct message: a down Redis reports the same error on every retry.
    const message = err instanceof Error ? err.message : String(err)
    if (message !== lastError) options.logger?.warn('redis connection error', { role, error: message })
    lastError = message
  })
  client.on('ready', () => {
    lastError = ''
  })
  return client
}

/** A Lua script run by EVALSHA, falling back to EVAL when Redis does not know it (restart, flush). */
export class Script {
  readonly sha: string
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  async run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args]
    try {
      return await client.sendCommand(['EVALSHA', this.sha, ...tail])
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
      return client.sendCommand(['EVAL', this.source, ...tail])
    }
  }
}
