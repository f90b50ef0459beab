/**
 * Protocol frames. One JSON object per WebSocket text message, discriminated by `type`; from
 * v2 on, a live `pub` travels as a compact array instead (codec.ts `encodeCompactPub`).
 * Requests from the client carry a positive integer `id`; the server's reply carries the same
 * `id`. Frames without `id` are pushes. docs/protocol.md describes each frame with a sample.
 */

/** Any JSON value: what `data` fields carry. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** A position in a channel's stream: the stream's epoch and the last offset seen in it. */
export interface StreamPosition {
  epoch: string
  offset: number
}

/** Who published, as the server vouches for it. */
export interface PublisherInfo {
  /** Connection (client) id. */
  client: string
  /** Authenticated user id, or '' for anonymous. */
  user: string
}

export type PresenceState = 'online' | 'away'

export interface PresenceMember {
  client: string
  user: string
  state: PresenceState
  /** Optional application data attached at connect (e.g. a nickname). */
  info?: Json
}

/** A publication as stored in history and delivered to subscribers. */
export interface Publication {
  data: Json
  /** Present on channels with history: monotonically increasing per epoch. */
  offset?: number
  info?: PublisherInfo
}

// ---------------------------------------------------------------------------------------------
// client → server

export interface ConnectFrame {
  type: 'connect'
  id: number
  /** Protocol versions the client speaks; the server picks the highest in common. */
  versions: number[]
  /** Auth token, for platforms that cannot set a header on the upgrade (browsers). */
  token?: string
  /** A previous session id to resume presence without a leave/join flap. */
  session?: string
  /** Application data shown in presence (e.g. a nickname). */
  info?: Json
}
export interface SubscribeFrame {
  type: 'subscribe'
  id: number
  channel: string
  /** Recover from this position: the server replies with the missed publications. */
  since?: StreamPosition
}
export interface UnsubscribeFrame {
  type: 'unsubscribe'
  id: number
  channel: string
}
export interface PublishFrame {
  type: 'publish'
  id: number
  channel: string
  data: Json
  /** Client message id: retries with the same id are deduplicated by the server (G5). */
  mid?: string
}
export interface RpcFrame {
  type: 'rpc'
  id: number
  method: string
  data: Json
}
export interface PresenceQueryFrame {
  type: 'presence'
  id: number
  channel: string
}
export interface HistoryQueryFrame {
  type: 'history'
  id: number
  channel: string
  /** Return publications after this position (default: the latest `limit`). */
  since?: StreamPosition
  limit?: number
}
/** Sets this connection's presence state (e.g. `away` when the page is hidden but the socket lives). */
export interface StateFrame {
  type: 'state'
  id: number
  state: PresenceState
}
export interface PingFrame {
  type: 'ping'
}
export interface PongFrame {
  type: 'pong'
}

export type ClientFrame =
  | ConnectFrame
  | SubscribeFrame
  | UnsubscribeFrame
  | PublishFrame
  | RpcFrame
  | PresenceQueryFrame
  | HistoryQueryFrame
  | StateFrame
  | PingFrame
  | PongFrame

// ---------------------------------------------------------------------------------------------
// server → client

export interface ConnectedFrame {
  type: 'connected'
  id: number
  version: number
  /** Session id; send it back as `session` in the next connect to resume presence. */
  session: string
  /** This connection's client id (as seen in publisher info and presence). */
  client: string
  user: string
  /** Server time, ms since the epoch. */
  time: number
  /** The server pings every `ping` ms; expect a frame at least every ping + pongTimeout ms. */
  ping: number
  pongTimeout: number
  /** How long (ms) the server keeps a dropped session for resume (and shows it `away`). */
  resumeWindow: number
  /** Largest message (bytes) the server accepts. */
  maxMessageSize: number
  /** True when `session` was resumed from the connect frame. */
  resumed: boolean
}
export interface SubscribedFrame {
  type: 'subscribed'
  /** The subscribe request answered; 0 for a server-side subscription made by the application. */
  id: number
  channel: string
  /** Current stream position (channels with history). */
  epoch?: string
  offset?: number
  /** Only when `since` was sent: true means `publications` closes the gap exactly (G2). */
  recovered?: boolean
  /** Missed publications, oldest first, when recovering. */
  publications?: Publication[]
}
export interface UnsubscribedFrame {
  type: 'unsubscribed'
  id: number
  channel: string
}
export interface AckFrame {
  type: 'ack'
  id: number
  /** Stream position given to the publication (channels with history). */
  epoch?: string
  offset?: number
  /** True when `mid` had been seen before: the publication was not stored again (G5). */
  duplicate?: boolean
}
export interface ReplyFrame {
  type: 'reply'
  id: number
  data: Json
}
export interface PresenceReplyFrame {
  type: 'presence'
  id: number
  channel: string
  members: PresenceMember[]
}
export interface HistoryReplyFrame {
  type: 'history'
  id: number
  channel: string
  epoch: string
  offset: number
  publications: Publication[]
  /** Only with `since`: false when the position is no longer covered by history. */
  recovered?: boolean
}
export interface StateAckFrame {
  type: 'state'
  id: number
  state: PresenceState
}
/**
 * A live publication pushed to a subscriber. In v2 it travels as a compact array, and `epoch`
 * is left off outside a change of epoch: it is then the one the connection last heard on the
 * channel (docs/protocol.md, "Version 2: the compact `pub`").
 */
export interface PubFrame {
  type: 'pub'
  channel: string
  data: Json
  epoch?: string
  offset?: number
  info?: PublisherInfo
}
export interface JoinFrame {
  type: 'join'
  channel: string
  /** Upsert: a member already present with another state sends `join` again with the new state. */
  member: PresenceMember
}
export interface LeaveFrame {
  type: 'leave'
  channel: string
  member: PresenceMember
}
/** Sent just before the server closes the socket. */
export interface DisconnectFrame {
  type: 'disconnect'
  code: number
  reason: string
  /** Whether reconnecting makes sense (mirrors the code's range). */
  reconnect: boolean
  /** Wait at least this long (ms) before reconnecting; jittered by the server on shutdown. */
  retryAfter?: number
}
export interface ErrorFrame {
  type: 'error'
  /** The request this answers; absent for errors not tied to a request. */
  id?: number
  code: number
  message: string
}
export type ServerFrame =
  | ConnectedFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | AckFrame
  | ReplyFrame
  | PresenceReplyFrame
  | HistoryReplyFrame
  | StateAckFrame
  | PubFrame
  | JoinFrame
  | LeaveFrame
  | DisconnectFrame
  | ErrorFrame
  | PingFrame
  | PongFrame

export type ClientFrameType = ClientFrame['type']
export type ServerFrameType = ServerFrame['type']
