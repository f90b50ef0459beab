/**
 * Browser adapter: the global `WebSocket`, read when a socket opens (not at import).
 * Browsers cannot set request headers: `headers` is ignored; send the token through the
 * client's `token` provider (it travels in the connect frame).
 *
 * Usage: `import { createClient } from '@minisocket/client/browser'`
 * @see https://developer.mozilla.org/docs/Web/API/WebSocket
 */
import type { SocketAdapter } from '../core/adapter.js'
import { webSocketAdapter, type WebSocketConstructor } from './websocket.js'

export function browserAdapter(): SocketAdapter {
  return webSocketAdapter('browser', () => (globalThis as unknown as { WebSocket: WebSocketConstructor }).WebSocket)
}
