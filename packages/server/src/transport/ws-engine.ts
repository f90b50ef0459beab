/**
 * The `ws` engine: noServer mode, permessage-deflate off (compression bombs and CRIME-like
 * side channels, research/reliability.md S6), `maxPayload` = the server's maxMessageSize (→ 1009).
 *
 * Messages are framed once and written straight to the socket, as socket.io does for
 * broadcasts (websockets/ws#617). That is correct because deflate is off (no RSV1, ws's sender
 * queue stays empty) and server frames are never masked (RFC 6455 §5.1), so the same bytes are
 * valid for every receiver.
 */
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { type RawData, WebSocket, WebSocketServer } from 'ws'
import { type CorkTarget, WriteCoalescer } from './coalescer.js'
import type { PreparedMessage, Transport, TransportEngine, TransportHandler } from './types.js'

/** FIN + text opcode (RFC 6455 §5.2), no RSV1 (no compression). */
const FIN_TEXT = 0x81

/**
 * One unmasked text frame, header and payload in a single Buffer: every delivery is then one
 * chunk for the socket, not the two (header, payload) that ws's `Sender.frame()` returns.
 */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text)
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10
  const frame = Buffer.allocUnsafe(header + length)
  frame[0] = FIN_TEXT
  if (header === 2) {
    frame[1] = length
  } else if (header === 4) {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 127
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2)
    frame.writeUInt32BE(length >>> 0, 6)
  }
  frame.write(text, header, 'utf8')
  return frame
}

class WsMessage implements PreparedMessage {
  constructor(readonly frame: Buffer) {}

  get bytes(): number {
    return this.frame.length
  }
}

/** RFC 6455 §5.5: control frame payloads (close code + reason) are at most 125 bytes. */
function clampReason(reason: string): string {
  let out = reason
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1)
  return out
}

/** The close code ws sends for each of its receiver errors (ws/lib/receiver.js). */
function receiverErrorCode(code: string | undefined): number {
  switch (code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return 1009
    case 'WS_ERR_INVALID_UTF8':
      return 1007
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return 1008
    default:
      return 1002
  }
}

/**
 * ws's WebSocket with a link back to its transport (the server's `WebSocket` option), so that
 * its listeners are three module-level functions instead of three closures and their context
 * per connection: about 0.2 KiB of each idle connection's heap (bench/analysis.md).
 */
class LinkedWebSocket extends WebSocket {
  transport: WsTransport | undefined = undefined
}

/** A listener's `this` is the WebSocket that emits (EventEmitter): a LinkedWebSocket here. */
function transportOf(ws: WebSocket): WsTransport | undefined {
  return (ws as LinkedWebSocket).transport
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  transportOf(this)?.received(data, isBinary)
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  transportOf(this)?.closed(code, reason)
}

// ws reports receiver errors (too big, bad UTF-8, bad frames) here and then closes with the
// matching code itself; without a listener the process would crash (reliability.md S16).
function onError(this: WebSocket, err: Error & { code?: string }): void {
  transportOf(this)?.failed(err)
}

class WsTransport implements Transport, CorkTarget {
  corked = false
  directTurn = -1
  turnWrites = 0
  multiTurn = -2
  batching = false
  readonly remoteAddress: string
  private handler: TransportHandler | undefined
  private closedReported = false
  private failure: { code: number; reason: string } | undefined

  constructor(
    private readonly ws: LinkedWebSocket,
    private readonly socket: Socket,
    private readonly coalescer: WriteCoalescer,
  ) {
    this.remoteAddress = socket.remoteAddress ?? ''
    ws.transport = this
    ws.on('message', onMessage)
    ws.on('close', onClose)
    ws.on('error', onError)
  }

  received(data: RawData, isBinary: boolean): void {
    if (isBinary) this.handler?.onBinary()
    else this.handler?.onText(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'))
  }

  closed(code: number, reason: Buffer): void {
    if (this.closedReported) return
    this.closedReported = true
    // After a receiver error ws sent its own close code and stopped reading, so the peer's
    // answer is never seen (ws reports 1006): report the code that was actually sent.
    if (this.failure !== undefined) this.handler?.onClose(this.failure.code, this.failure.reason)
    else this.handler?.onClose(code, reason.toString('utf8'))
  }

  failed(err: Error & { code?: string }): void {
    this.failure ??= { code: receiverErrorCode(err.code), reason: err.message }
  }

  setHandler(handler: TransportHandler): void {
    this.handler = handler
  }

  send(message: PreparedMessage): void {
    // Nothing may follow our (or the peer's) close frame. `writable` reads only the write state
    // that write() reads anyway; `destroyed` also read the read state, one more object per delivery.
    if (this.ws.readyState !== WebSocket.OPEN || !this.socket.writable) return
    const { frame } = message as WsMessage
    if (this.coalescer.claimDirect(this)) {
      this.socket.write(frame)
      // The kernel did not take it all (a slow reader): cork the rest of the turn, so that the
      // end-of-turn flush runs the backpressure check (4002) as it does for corked writes.
      if (this.socket.writableLength > 0) this.coalescer.hold(this)
    } else {
      this.coalescer.hold(this)
      this.socket.write(frame)
    }
  }

  bufferedAmount(): number {
    return this.socket.writableLength
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.CLOSING || this.ws.readyState === WebSocket.CLOSED) return
    this.ws.close(code, clampReason(reason))
  }

  terminate(): void {
    this.ws.terminate()
  }

  cork(): void {
    this.socket.cork()
  }

  flush(): void {
    this.socket.uncork()
    if (!this.socket.destroyed) this.handler?.onFlushed()
  }
}

export class WsEngine implements TransportEngine {
  private readonly wss: WebSocketServer
  private readonly coalescer = new WriteCoalescer()

  constructor(maxPayload: number) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false, WebSocket: LinkedWebSocket })
    this.wss.on('error', () => {})
  }

  prepare(text: string): WsMessage {
    return new WsMessage(textFrame(text))
  }

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, done: (transport: Transport) => void): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => done(new WsTransport(ws as LinkedWebSocket, socket as Socket, this.coalescer)))
  }

  close(): void {
    this.coalescer.flushAll()
    this.wss.close()
  }
}
