/**
 * Every code with a meaning lives here, in one table: the WebSocket close codes the server
 * (and client) use, and the error codes carried by `error` replies. docs/codes.md is this
 * table in prose; a test keeps the two in step.
 *
 * Close codes are split into ranges so a client can decide without a lookup:
 *   4000–4499  retryable: reconnect with backoff (honouring `retryAfter` when given)
 *   4500–4999  terminal:  do not reconnect until the app says so (`client.reconnect()`)
 * Standard codes (1000–1015) keep their RFC 6455 meaning; of those only 1000 and 1008 are terminal.
 */

export const CloseCode = {
  /** RFC 6455: normal closure, e.g. the app called `close()`. */
  Normal: 1000,
  /** RFC 6455: endpoint going away (browser tab closed, server stopping without our frame). */
  GoingAway: 1001,
  /** RFC 6455: protocol error at the WebSocket layer (bad frame, unmasked client frame). */
  ProtocolError: 1002,
  /** RFC 6455: reserved, never sent; reported locally when a close frame carried no status code. */
  NoStatus: 1005,
  /** RFC 6455: reserved, never sent; reported locally when the socket dropped without a close frame. */
  Abnormal: 1006,
  /** RFC 6455: invalid payload data, e.g. a text frame that is not UTF-8. */
  InvalidPayload: 1007,
  /** RFC 6455: policy violation (used by the WebSocket layer itself). */
  PolicyViolation: 1008,
  /** RFC 6455: a message was larger than the server's `maxMessageSize`. */
  MessageTooBig: 1009,
  /** RFC 6455: unexpected server condition. */
  InternalError: 1011,

  /** Server is shutting down or restarting; reconnect after `retryAfter` ms. */
  Shutdown: 4000,
  /** No pong (or any frame) from the peer within the heartbeat timeout. */
  HeartbeatTimeout: 4001,
  /** The connection's outbound buffer passed its limit: the client stopped reading. */
  SlowConsumer: 4002,
  /** Inbound message rate above the connection's token bucket. */
  RateLimited: 4003,
  /** The connection's token expired; the client must fetch a new token and reconnect. */
  TokenExpired: 4004,
  /** Too many connections from this IP or for this user. */
  TooManyConnections: 4005,
  /** No `connect` frame arrived within the handshake timeout. */
  HandshakeTimeout: 4006,
  /** The server failed while serving this connection. */
  ServerError: 4007,
  /** The client suspended itself (app hidden); the server keeps the session for its resume window. */
  Suspended: 4008,
  /** A transient dependency (e.g. the broker) is unavailable. */
  Unavailable: 4009,

  /** Authentication failed: bad, forged or missing token. */
  Unauthorized: 4500,
  /** Authenticated, but the connection is not allowed (e.g. user banned). */
  Forbidden: 4501,
  /** No protocol version in common; the reason names what the server speaks. */
  UnsupportedVersion: 4502,
  /** The client broke the protocol: malformed frame, wrong frame for the state, bad JSON. */
  BadFrame: 4503,
  /** The server closed this connection on purpose (kicked by the application). */
  Kicked: 4504,
} as const
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/** Error codes of `error` replies; the connection stays open. */
export const ErrorCode = {
  /** A field is missing, of the wrong type or out of range. */
  BadRequest: 100,
  /** The channel name matches no namespace, or is not a valid channel name. */
  UnknownChannel: 101,
  /** Not allowed to subscribe, publish, call or read this. */
  PermissionDenied: 102,
  /** No RPC handler of that name. */
  MethodNotFound: 103,
  /** Already subscribed to this channel on this connection. */
  AlreadySubscribed: 104,
  /** Not subscribed to this channel (unsubscribe, or a publish that requires a subscription). */
  NotSubscribed: 105,
  /** A per-connection limit was reached (e.g. subscriptions per connection). */
  LimitExceeded: 106,
  /** The request was not answered in time (RPC handler, or the client's own timeout). */
  Timeout: 107,
  /** The server failed to handle the request. */
  Internal: 108,
  /** A dependency (broker, history) is unavailable right now; retry later. */
  Unavailable: 109,
  /** The feature is not enabled for this channel (history or presence off). */
  NotAvailable: 110,
  /** The RPC handler threw an application error; `message` is what it chose to expose. */
  HandlerError: 111,

  /** Client side: the request was abandoned because the connection closed before a reply. */
  Disconnected: 200,
  /** Client side: the client was closed for good; nothing more will be sent. */
  Closed: 201,
  /** Client side: the outbox was full (count, bytes) or the message aged out. */
  OutboxOverflow: 202,
  /** Client side: the message exceeds the server's maxMessageSize and was never sent. */
  TooLarge: 203,
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export interface CodeInfo {
  readonly name: string
  readonly retryable: boolean
  readonly meaning: string
}

const closeInfo: Record<number, CodeInfo> = {
  1000: { name: 'Normal', retryable: false, meaning: 'normal closure, e.g. the app called close()' },
  1001: { name: 'GoingAway', retryable: true, meaning: 'endpoint going away' },
  1002: { name: 'ProtocolError', retryable: true, meaning: 'WebSocket protocol error' },
  1005: { name: 'NoStatus', retryable: true, meaning: 'closed without a status code' },
  1006: { name: 'Abnormal', retryable: true, meaning: 'dropped without a close frame (local only)' },
  1007: { name: 'InvalidPayload', retryable: true, meaning: 'invalid payload (e.g. bad UTF-8)' },
  1008: { name: 'PolicyViolation', retryable: false, meaning: 'policy violation' },
  1009: { name: 'MessageTooBig', retryable: true, meaning: 'a message exceeded maxMessageSize' },
  1011: { name: 'InternalError', retryable: true, meaning: 'unexpected server condition' },
  1012: { name: 'ServiceRestart', retryable: true, meaning: 'service restart' },
  1013: { name: 'TryAgainLater', retryable: true, meaning: 'try again later' },
  4000: { name: 'Shutdown', retryable: true, meaning: 'server shutting down; reconnect after retryAfter' },
  4001: { name: 'HeartbeatTimeout', retryable: true, meaning: 'no pong within the heartbeat timeout' },
  4002: { name: 'SlowConsumer', retryable: true, meaning: 'outbound buffer limit passed: the client stopped reading' },
  4003: { name: 'RateLimited', retryable: true, meaning: 'inbound message rate above the limit' },
  4004: { name: 'TokenExpired', retryable: true, meaning: 'token expired: refresh it and reconnect' },
  4005: { name: 'TooManyConnections', retryable: true, meaning: 'too many connections from this IP or user' },
  4006: { name: 'HandshakeTimeout', retryable: true, meaning: 'no connect frame within the handshake timeout' },
  4007: { name: 'ServerError', retryable: true, meaning: 'the server failed while serving this connection' },
  4008: { name: 'Suspended', retryable: true, meaning: 'client suspended (app hidden); session kept for the resume window' },
  4009: { name: 'Unavailable', retryable: true, meaning: 'a dependency (broker) is unavailable' },
  4500: { name: 'Unauthorized', retryable: false, meaning: 'authentication failed' },
  4501: { name: 'Forbidden', retryable: false, meaning: 'connection not allowed' },
  4502: { name: 'UnsupportedVersion', retryable: false, meaning: 'no protocol version in common' },
  4503: { name: 'BadFrame', retryable: false, meaning: 'protocol violation by the client' },
  4504: { name: 'Kicked', retryable: false, meaning: 'closed on purpose by the application' },
}

const errorInfo: Record<number, CodeInfo> = {
  100: { name: 'BadRequest', retryable: false, meaning: 'a field is missing, of the wrong type or out of range' },
  101: { name: 'UnknownChannel', retryable: false, meaning: 'no namespace matches the channel, or the name is invalid' },
  102: { name: 'PermissionDenied', retryable: false, meaning: 'not allowed' },
  103: { name: 'MethodNotFound', retryable: false, meaning: 'no RPC handler of that name' },
  104: { name: 'AlreadySubscribed', retryable: false, meaning: 'already subscribed on this connection' },
  105: { name: 'NotSubscribed', retryable: false, meaning: 'not subscribed on this connection' },
  106: { name: 'LimitExceeded', retryable: false, meaning: 'a per-connection limit was reached' },
  107: { name: 'Timeout', retryable: true, meaning: 'not answered in time' },
  108: { name: 'Internal', retryable: true, meaning: 'the server failed to handle the request' },
  109: { name: 'Unavailable', retryable: true, meaning: 'a dependency is unavailable; retry later' },
  110: { name: 'NotAvailable', retryable: false, meaning: 'history or presence is not enabled for this channel' },
  111: { name: 'HandlerError', retryable: false, meaning: 'the RPC handler reported an application error' },
  200: { name: 'Disconnected', retryable: true, meaning: 'connection closed before the reply (client side)' },
  201: { name: 'Closed', retryable: false, meaning: 'the client was closed for good (client side)' },
  202: { name: 'OutboxOverflow', retryable: false, meaning: 'outbox full or message aged out (client side)' },
  203: { name: 'TooLarge', retryable: false, meaning: 'message larger than the server allows (client side)' },
}

/** Looks up a close code. Unknown codes in 4000–4499 are retryable, 4500–4999 terminal. */
export function closeCodeInfo(code: number): CodeInfo {
  const known = closeInfo[code]
  if (known !== undefined) return known
  if (code >= 4000 && code <= 4499) return { name: 'Unknown', retryable: true, meaning: 'unknown code in the retryable range' }
  if (code >= 4500 && code <= 4999) return { name: 'Unknown', retryable: false, meaning: 'unknown code in the terminal range' }
  return { name: 'Unknown', retryable: true, meaning: 'unknown code' }
}

/** True when a client should reconnect after this close code. */
export function isRetryableClose(code: number): boolean {
  return closeCodeInfo(code).retryable
}

export function errorCodeInfo(code: number): CodeInfo {
  return errorInfo[code] ?? { name: 'Unknown', retryable: false, meaning: 'unknown error code' }
}

/** The whole table, for docs and tests. */
export function allCodes(): { close: Readonly<Record<number, CodeInfo>>; error: Readonly<Record<number, CodeInfo>> } {
  return { close: closeInfo, error: errorInfo }
}
