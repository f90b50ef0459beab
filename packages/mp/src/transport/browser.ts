/**
 * Browser transport on the global `WebSocket`, the default of `@minisocket/mp/browser`.
 * Usage: any browser (or a runtime with a WHATWG WebSocket). Limits of the browser itself:
 * handshake headers (and so the Referer rule) cannot be set and response headers cannot be read,
 * so `onOpen` reports `header: {}`.
 * @see https://developer.mozilla.org/docs/Web/API/WebSocket
 */
import type { Transport, TransportConnection, TransportEvents, TransportRequest } from './types.js'

export function createBrowserTransport(WebSocketImpl?: typeof WebSocket): Transport {
  return {
    name: 'browser',
    connect: (request, events) => connect(WebSocketImpl ?? globalThis.WebSocket, request, events),
  }
}

function connect(Impl: typeof WebSocket, request: TransportRequest, events: TransportEvents): TransportConnection {
  const socket = new Impl(request.url, request.protocols)
  socket.binaryType = 'arraybuffer'
  let closed = false
  const finish = (code: number, reason: string): void => {
    if (closed) return
    closed = true
    events.close(code, reason)
  }
  socket.onopen = () => events.open({ header: {}, protocol: socket.protocol })
  socket.onmessage = (ev: MessageEvent) => {
    if (typeof ev.data === 'string') events.message(ev.data)
    else if (ev.data instanceof ArrayBuffer) events.message(ev.data)
  }
  // The DOM error event has no detail (MDN); all we can say is that the connection failed.
  socket.onerror = () => events.error({ kind: 'network', message: 'WebSocket error' })
  socket.onclose = (ev: CloseEvent) => finish(ev.code, ev.reason)
  return {
    send: (data) => socket.send(data),
    close: (code, reason) => (code === undefined ? socket.close() : socket.close(code, reason)),
    // Browsers cannot drop a socket without the closing handshake; report the close at once.
    terminate: () => {
      socket.close()
      finish(1006, '')
    },
  }
}
