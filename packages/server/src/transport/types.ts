/**
 * The socket layer behind a small seam, so another WebSocket engine (e.g. uWebSockets.js) can be
 * plugged in without touching sessions or fan-out. An engine frames a message once
 * (`prepare`) and writes the same prepared bytes to any number of its transports (DESIGN.md:
 * serialize once per node, write the same bytes to every local subscriber).
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

/** A message framed by one engine, ready to write to any of that engine's transports. */
export interface PreparedMessage {
  /** Bytes on the wire, framing included. */
  readonly bytes: number
}

export interface TransportHandler {
  /** A complete text message (valid UTF-8; size already checked against maxPayload). */
  onText(text: string): void
  /** A binary message: not part of the protocol. */
  onBinary(): void
  /** The socket is gone (close handshake done, or dropped: 1006). Called once. */
  onClose(code: number, reason: string): void
  /** Written bytes were handed to the kernel (end of an event-loop turn): check backpressure. */
  onFlushed(): void
}

export interface Transport {
  /** Peer IP as seen on the socket. */
  readonly remoteAddress: string
  setHandler(handler: TransportHandler): void
  /** Queues a prepared message; a no-op once the socket is closing. */
  send(message: PreparedMessage): void
  /** Bytes accepted by `send` and not yet handed to the kernel. */
  bufferedAmount(): number
  /** Starts the close handshake with this code and reason. */
  close(code: number, reason: string): void
  /** Drops the socket at once, without a close handshake. */
  terminate(): void
}

export interface TransportEngine {
  /** Frames one text message; the result may be sent to many transports of this engine. */
  prepare(text: string): PreparedMessage
  /** Completes a WebSocket upgrade that the server already accepted. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, done: (transport: Transport) => void): void
  close(): void
}
