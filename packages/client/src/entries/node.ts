/**
 * Node entry: createClient over the `ws` class the app passes (no hard dependency on ws).
 *
 * @example
 * import WebSocket from 'ws'
 * import { createClient } from '@minisocket/client/node'
 * const client = createClient({ url: 'ws://127.0.0.1:8080/ws', WebSocket })
 * client.connect()
 */
import { nodeAdapter } from '../adapters/node.js'
import { createClient as createCore } from '../core/client.js'
import type { Client, ClientOptions } from '../core/types.js'
import { realClock } from './timers.js'

export * from '../index.js'
export { nodeAdapter }

export type NodeClientOptions = Omit<ClientOptions, 'adapter' | 'clock'> &
  Partial<Pick<ClientOptions, 'adapter' | 'clock'>> & {
    /** The `ws` package's WebSocket class (required unless `adapter` is given). */
    WebSocket?: unknown
  }

export function createClient({ WebSocket, ...options }: NodeClientOptions): Client {
  const adapter = options.adapter ?? nodeAdapter(WebSocket)
  if (options.adapter === undefined && WebSocket === undefined) throw new TypeError('createClient: pass `WebSocket` (from the ws package) or an `adapter`')
  return createCore({ clock: realClock, ...options, adapter })
}
