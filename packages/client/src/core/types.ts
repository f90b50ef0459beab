import type { ConnectedFrame, Json, PresenceMember, StreamPosition } from '@minisocket/protocol'
import type { Lifecycle, SocketAdapter } from './adapter.js'
import type { BackoffOptions } from './backoff.js'
import type { Clock } from './clock.js'
import type { ClientError } from './errors.js'
import type { Logger } from './logger.js'
import type { OutboxOptions } from './outbox.js'
import type { ClientState, StateChange } from './states.js'
import type { HistoryQuery, HistoryResult, PublicationEvent, Subscription, SubscriptionHandlers } from './subscription.js'

export interface ClientOptions {
  /** WebSocket URL of the server, e.g. 'wss://example.com/ws'. */
  url: string
  /** The platform socket (entries pass theirs: `@minisocket/client/browser`, `/node`, ...). */
  adapter: SocketAdapter
  /** Timers; entries pass the real ones, tests a FakeClock. */
  clock: Clock
  /** Default: silent. */
  logger?: Logger
  /**
   * Token provider, called before every connect attempt (so again after 4004 TokenExpired).
   * Throw a `ClientError` with `retryable: false` to stop (state `closed`, code 4500); any other
   * throw is retried with backoff (code 4009).
   */
  token?: () => string | null | undefined | Promise<string | null | undefined>
  /** Application data shown to others in presence (e.g. a nickname). */
  info?: Json
  protocols?: readonly string[]
  /** Upgrade request headers (Node and mini-programs; browsers cannot set them). */
  headers?: Readonly<Record<string, string>>
  /** Reconnect delays; defaults min 500 ms, max 20 s, full jitter. */
  backoff?: BackoffOptions
  /** Connect (token + open + handshake) and request timeout, ms. Default 10000. */
  timeout?: number
  outbox?: OutboxOptions
  /** App hide/show and network hooks (mini-program entries provide them). */
  lifecycle?: Lifecycle
  /** Uniform random in [0, 1) for message ids. Default Math.random. */
  random?: () => number
}

/** What the server said when the connection was established. */
export type ConnectionInfo = Omit<ConnectedFrame, 'type' | 'id'>

export interface OutboxDropEvent {
  /** `overflow`: refused at publish (count or bytes bound); `expired`: older than maxAge. */
  reason: 'overflow' | 'expired'
  channel: string
  data: Json
  mid: string
}

export interface ClientEvents {
  /** Every transition of the connection state machine (docs/state-machines.md). */
  state: StateChange<ClientState>
  connected: ConnectionInfo
  /** Publications on channels without a Subscription here (server-side subscriptions). */
  publication: PublicationEvent
  /** A message left the outbox without being sent; its publish() promise rejects with 202. */
  outbox: OutboxDropEvent
  /** Diagnostics only; failures that matter are state transitions. Never throws when unlistened. */
  error: ClientError
}

/** `sent`: written to the open connection; `queued`: in the outbox; `dropped`: not sent (volatile while offline, or refused). */
export type SendStatus = 'sent' | 'queued' | 'dropped'

export interface PublishResult {
  /** `dropped` only for a volatile publish while not connected. */
  status: 'sent' | 'dropped'
  epoch?: string | undefined
  offset?: number | undefined
  /** The server had seen this message id already (a re-send): it was not published twice (G5). */
  duplicate?: boolean | undefined
}

/**
 * The promise of a publish, resolved on the server's ack, with the status at call time.
 * It rejects with a ClientError (202 OutboxOverflow, 201 Closed, 203 TooLarge, or the server's
 * refusal); an ignored rejection never becomes an unhandled rejection (the `outbox` event reports it).
 */
export type Sending = Promise<PublishResult> & { readonly status: SendStatus }

export interface PublishOptions {
  /** Drop instead of queueing when not connected (typing indicators, cursors). */
  volatile?: boolean
}

export interface Client {
  readonly state: ClientState
  /** The current connection's details; undefined unless connected. */
  readonly connection: ConnectionInfo | undefined
  /** Connects now (from `closed`, `disconnected` or `suspended`), skipping any backoff. */
  connect(): void
  /** Drops the current connection (if any) and connects again now. Works in every state. */
  reconnect(): void
  /** The app is hidden: closes with 4008 (the server keeps the session and shows the user away). */
  suspend(): void
  /** The app is shown: connects at once, skipping the backoff. */
  resume(): void
  /** Closes for good (1000): pending requests and queued publishes reject with 201 Closed. */
  close(): void
  /** Throws ClientError 104 if this client already has a subscription to `channel`. */
  subscribe(channel: string, handlers?: SubscriptionHandlers, options?: { since?: StreamPosition }): Subscription
  subscription(channel: string): Subscription | undefined
  publish(channel: string, data: Json, options?: PublishOptions): Sending
  rpc(method: string, data?: Json, options?: { timeout?: number }): Promise<Json>
  history(channel: string, query?: HistoryQuery): Promise<HistoryResult>
  presence(channel: string): Promise<PresenceMember[]>
  on<K extends keyof ClientEvents>(type: K, fn: (event: ClientEvents[K]) => void): () => void
}
