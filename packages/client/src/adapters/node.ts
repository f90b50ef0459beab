/**
 * Node adapter over the `ws` package, which the app passes in (no hard dependency).
 * Headers (e.g. `Authorization: Bearer`) go on the upgrade request.
 *
 * Usage: `import WebSocket from 'ws'; createClient({ url, WebSocket })` from '@minisocket/client/node'
 * @see https://github.com/websockets/ws/blob/master/doc/ws.md#new-websocketaddress-protocols-options
 */
import type { SocketAdapter } from '../core/adapter.js'
import { webSocketAdapter, type WebSocketConstructor } from './websocket.js'

/** `WebSocket`: the class exported by `ws` (or anything with its constructor and WHATWG events). */
export function nodeAdapter(WebSocket: unknown): SocketAdapter {
  return webSocketAdapter('node', () => WebSocket as WebSocketConstructor, (options) => ({ headers: options.headers ?? {} }))
}
