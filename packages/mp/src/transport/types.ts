/**
 * The seam between the emulator and a real WebSocket implementation. One file per transport:
 * `ws-node.ts` (Node, through `ws`) and `browser.ts` (the global `WebSocket`), so the browser
 * entry never pulls in a Node built-in.
 */

export interface TransportRequest {
  url: string
  /** Extra handshake headers (ignored by the browser transport: browsers cannot set them). */
  headers: Record<string, string>
  protocols: string[]
  perMessageDeflate: boolean
}

/** A transport failure: `http-status` for a non-101 handshake answer, `network` for the rest. */
export interface TransportError {
  kind: 'http-status' | 'network'
  message: string
}

/** Callbacks a transport calls; `close` always comes last and at most once. */
export interface TransportEvents {
  open(info: { header: Record<string, string>; protocol: string }): void
  /** Text frames as string, binary frames as a standalone ArrayBuffer (never Buffer/Blob/TypedArray). */
  message(data: string | ArrayBuffer): void
  error(error: TransportError): void
  close(code: number, reason: string): void
}

export interface TransportConnection {
  send(data: string | ArrayBuffer): void
  /** Starts the closing handshake; `code` undefined sends a close frame without a code. */
  close(code?: number, reason?: string): void
  /** Drops the connection at once, without a closing handshake (suspend, network loss, timeout). */
  terminate(): void
}

export interface Transport {
  readonly name: string
  connect(request: TransportRequest, events: TransportEvents): TransportConnection
}
