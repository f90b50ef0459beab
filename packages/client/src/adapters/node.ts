/**
 * Node adapter. By default the client's own RFC 6455 client over node:net / node:tls
 * (node-socket.ts): no dependency. Pass the `ws` package's class instead to use `ws`, e.g. with
 * an HTTP proxy agent; headers (e.g. `Authorization: Bearer`) go on the upgrade request either way.
 *
 * Usage: `createClient({ url })`, or `import WebSocket from 'ws'; createClient({ url, WebSocket })`
 * from '@minisocket/client/node'
 * @see https://github.com/websockets/ws/blob/master/doc/ws.md#new-websocketaddress-protocols-options
 */
import type { SocketAdapter } from '../core/adapter.js'
import { nodeSocketAdapter, type NodeSocketOptions } from './node-socket.js'
import { webSocketAdapter, type WebSocketConstructor } from './websocket.js'

export type { NodeSocketOptions }

/**
 * `WebSocket`: the class exported by `ws` (or anything with its constructor and WHATWG events);
 * undefined: the built-in client, configured by `socket`.
 */
export function nodeAdapter(WebSocket?: unknown, socket?: NodeSocketOptions): SocketAdapter {
  if (WebSocket === undefined) return nodeSocketAdapter(socket)
  return webSocketAdapter('node', () => WebSocket as WebSocketConstructor, (options) => ({ headers: options.headers ?? {} }))
}
