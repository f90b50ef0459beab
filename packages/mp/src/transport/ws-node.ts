/**
 * Node transport on `ws`, the default of the `@minisocket/mp` entry.
 * Usage: Node 20+. `ws` hands out Buffers; mini-programs hand out strings and ArrayBuffers (§7.4),
 * so every frame is converted here.
 * @see https://github.com/websockets/ws/blob/master/doc/ws.md
 */
import WebSocket from 'ws'
import type { IncomingMessage } from 'node:http'
import type { Transport, TransportConnection, TransportEvents, TransportRequest } from './types.js'

export function createWsTransport(): Transport {
  return { name: 'ws', connect }
}

function connect(request: TransportRequest, events: TransportEvents): TransportConnection {
  let responseHeaders: Record<string, string> = {}
  let closed = false
  const socket = new WebSocket(request.url, request.protocols, {
    headers: request.headers,
    perMessageDeflate: request.perMessageDeflate,
  })
  socket.on('upgrade', (res: IncomingMessage) => { responseHeaders = flattenHeaders(res.headers) })
  socket.on('open', () => events.open({ header: responseHeaders, protocol: socket.protocol }))
  socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
    const buf = toBuffer(data)
    events.message(isBinary ? toArrayBuffer(buf) : buf.toString('utf8'))
  })
  socket.on('error', (err: Error) => {
    // ws reports a refused handshake as "Unexpected server response: <status>".
    const kind = err.message.startsWith('Unexpected server response') ? 'http-status' : 'network'
    events.error({ kind, message: err.message })
  })
  socket.on('close', (code: number, reason: Buffer) => {
    if (closed) return
    closed = true
    events.close(code, reason.toString('utf8'))
  })
  return {
    send: (data) => socket.send(typeof data === 'string' ? data : new Uint8Array(data)),
    close: (code, reason) => {
      if (socket.readyState === WebSocket.CONNECTING) return socket.terminate()
      if (code === undefined) return socket.close()
      try {
        socket.close(code, reason)
      } catch {
        // ws throws on a reason over 123 bytes; with the reason check disabled (flag
        // validateCloseReason: false) the close still goes out, without the reason.
        socket.close(code)
      }
    },
    terminate: () => socket.terminate(),
  }
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data)
  if (data instanceof ArrayBuffer) return Buffer.from(data)
  return data
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  const out = new ArrayBuffer(buf.byteLength)
  new Uint8Array(out).set(buf)
  return out
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}
