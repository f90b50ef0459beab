/**
 * Node entry: createClient over the client's own WebSocket client (no dependency), or over the
 * `ws` class the app passes as `WebSocket`.
 *
 * @example
 * import { createClient } from '@minisocket/client/node'
 * const client = createClient({ url: 'ws://127.0.0.1:8080/ws' })
 * client.connect()
 */
import { nodeAdapter, type NodeSocketOptions } from '../adapters/node.js'
import { createClient as createCore } from '../core/client.js'
import type { Client, ClientOptions } from '../core/types.js'
import { realClock } from './timers.js'

export * from '../index.js'
export { nodeAdapter, type NodeSocketOptions }

export type NodeClientOptions = Omit<ClientOptions, 'adapter' | 'clock'> &
  Partial<Pick<ClientOptions, 'adapter' | 'clock'>> & {
    /** The `ws` package's WebSocket class; without it the built-in client is used. */
    WebSocket?: unknown
    /** Options of the built-in client: `tls` for wss://, `maxPayload`, `closeTimeoutMs`. */
    socket?: NodeSocketOptions
  }

export function createClient({ WebSocket, socket, ...options }: NodeClientOptions): Client {
  return createCore({ clock: realClock, ...options, adapter: options.adapter ?? nodeAdapter(WebSocket, socket) })
}
