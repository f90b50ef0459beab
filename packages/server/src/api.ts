/**
 * The public shape of a minisocket server node: options and the `MiniServer` handle returned by
 * `createServer()`. The HTTP API, the CLI and the metrics are written against this interface.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http'
import type { Json, PresenceMember, Publication, StreamPosition } from '@minisocket/protocol'
import type { Broker, PresenceStore, PublishResult } from './engine/types.js'

export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Structured logger. Never given tokens or message bodies. Default: silent. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

/** Who a connection is, as decided by the `authenticate` hook. */
export interface Identity {
  /** User id; '' for anonymous. */
  user: string
  /** Application data shown in presence (e.g. a nickname). */
  info?: Json
  /** Token expiry (ms since the epoch): the connection is closed with TokenExpired then. */
  expiresAt?: number
}

export interface AuthRequest {
  /** Token from `Authorization: Bearer`, the `token` query parameter, or the connect frame. */
  token: string | undefined
  /** The upgrade request (headers, url, socket address). */
  request: IncomingMessage
}

/** What a channel permits, per namespace. */
export interface ChannelRules {
  /** Publications kept per channel for recovery; 0 = no history (no offsets). Default 100. */
  historySize?: number
  /** History expires this long after the last publication. Default 5 min. */
  historyTtlMs?: number
  /** Track presence (join/leave events, presence queries). Default false. */
  presence?: boolean
  /** Who may subscribe. Default 'all'. */
  subscribe?: 'all' | 'authenticated' | 'none' | ((ctx: ChannelContext) => boolean | Promise<boolean>)
  /** Who may publish from a client. Default 'subscribers'. */
  publish?: 'all' | 'authenticated' | 'subscribers' | 'none' | ((ctx: ChannelContext) => boolean | Promise<boolean>)
  /** Who may read history / presence. Default: whoever may subscribe. */
  read?: 'all' | 'authenticated' | 'subscribers' | 'none' | ((ctx: ChannelContext) => boolean | Promise<boolean>)
}

export interface ChannelContext {
  channel: string
  user: string
  client: string
  data?: Json
}

export interface NamespaceRule extends ChannelRules {
  /** Channel pattern: exact name, `prefix:*`, or a RegExp. First match wins. */
  match: string | RegExp
}

export interface Limits {
  /** Largest inbound message in bytes; bigger → close 1009. Default 64 KiB. */
  maxMessageSize: number
  /** Token bucket per connection: sustained messages/s and burst. Over → close 4003. Default 100/s, burst 200. */
  messageRate: number
  messageBurst: number
  /** Subscriptions per connection; over → error 106. Default 128. */
  maxSubscriptions: number
  /** Outbound bytes buffered per connection; over → close 4002 (slow consumer). Default 1 MiB. */
  maxOutboundBuffer: number
  /** Concurrent connections per IP / per (authenticated) user; over → close 4005. Default 10 000 / 10. */
  maxConnectionsPerIp: number
  maxConnectionsPerUser: number
  /** Upgrade must complete and the connect frame arrive within this; else close 4006. Default 10 s. */
  handshakeTimeoutMs: number
  /** Standalone HTTP server: request headers must arrive within this (slowloris). Default 10 s. */
  headersTimeoutMs: number
}

export interface ServerOptions {
  /** Listen on this port (standalone). Use 0 in tests. Ignored with `server`. */
  port?: number
  host?: string
  /** Attach to an existing HTTP server instead of creating one. */
  server?: HttpServer
  /** WebSocket path. Default '/ws'. */
  path?: string
  /** Decide who connects. Throw or return null to refuse (close 4500). */
  authenticate?: (req: AuthRequest) => Identity | null | Promise<Identity | null>
  /** Allowed Origin header values ('*' for any). Requests with other origins get HTTP 403. */
  allowedOrigins?: readonly string[]
  namespaces?: readonly NamespaceRule[]
  /** RPC handlers by method name. Throwing a `RpcError` sends its code/message. */
  rpc?: Record<string, RpcHandler>
  /** Heartbeat: server ping interval and how long to wait for the pong. */
  pingIntervalMs?: number
  pongTimeoutMs?: number
  /** How long a dropped session is kept for resume, and shown `away` in presence. Default 30 s. */
  resumeWindowMs?: number
  limits?: Partial<Limits>
  /** Key for the HTTP API (Bearer or X-API-Key). Without it the HTTP publish API is disabled. */
  apiKey?: string
  /** How long an Idempotency-Key / client message id is remembered. Default 10 min. */
  idempotencyWindowMs?: number
  /** An RPC handler not settled within this gets error 107 (Timeout). Default 10 s. */
  rpcTimeoutMs?: number
  /** Graceful shutdown spreads `retryAfter` uniformly over 0..this (ms). Default 5 s. */
  shutdownRetryAfterMs?: number
  broker?: Broker
  presence?: PresenceStore
  clock?: Clock
  logger?: Logger
  /** Node identity in logs and metrics. */
  nodeId?: string
}

export interface RpcContext {
  user: string
  client: string
  session: string
}
export type RpcHandler = (data: Json, ctx: RpcContext) => Json | Promise<Json>

export interface ServerStats {
  connections: number
  channels: number
  subscriptions: number
  messagesIn: number
  messagesOut: number
  publications: number
  /** Most recent disconnects, newest first (bounded). */
  recentDisconnects: Array<{ at: number; code: number; reason: string; user: string }>
}

export interface MiniServer {
  /** The bound address (after `listen`). */
  readonly port: number
  readonly http: HttpServer
  /** Starts listening (standalone) and the engine. Resolves when ready. */
  listen(): Promise<void>
  /** Publishes from the server side (fans out, stores in history). */
  publish(channel: string, data: Json, options?: { idempotencyKey?: string }): Promise<PublishResult>
  history(channel: string, query?: { since?: StreamPosition; limit?: number }): Promise<{ epoch: string; offset: number; publications: Publication[] }>
  presence(channel: string): Promise<PresenceMember[]>
  /** Subscribes a user's connections to a channel from the server side. */
  subscribeUser(user: string, channel: string): Promise<void>
  /** Closes a user's connections with code 4504 (Kicked). */
  disconnectUser(user: string, reason?: string): void
  stats(): ServerStats
  /** Prometheus text exposition. */
  metrics(): string
  /**
   * For a server attached to an existing http.Server: serves the HTTP API (publish, history,
   * presence, health, metrics) for this request. Returns true when it handled it. Standalone
   * servers route their requests here themselves.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean
  /** Graceful: stop accepting, send disconnect 4000 with a jittered retryAfter, drain, close. */
  close(options?: { drainMs?: number }): Promise<void>
}
