/**
 * @minisocket/client core: `createClient({ url, adapter, clock })`. Platform entries pre-bind an
 * adapter and the real timers: `@minisocket/client/browser`, `@minisocket/client/node`.
 * docs/client.md is the guide; docs/state-machines.md the two state machines.
 */
export { createClient } from './core/client.js'
export { ClientError } from './core/errors.js'
export { backoffDelay, type BackoffOptions } from './core/backoff.js'
export { clientTransitions, subscriptionTransitions, type ClientState, type SubscriptionState, type StateChange } from './core/states.js'
export type { Clock } from './core/clock.js'
export type { Logger } from './core/logger.js'
export type { Lifecycle, OpenOptions, SocketAdapter, SocketHandle, SocketHandlers, SyncStorage } from './core/adapter.js'
export type { OutboxOptions } from './core/outbox.js'
export type { Client, ClientEvents, ClientOptions, ConnectionInfo, OutboxDropEvent, PublishOptions, PublishResult, SendStatus, Sending } from './core/types.js'
export type { HistoryQuery, HistoryResult, PublicationEvent, SubscribedEvent, Subscription, SubscriptionEvents, SubscriptionHandlers } from './core/subscription.js'
export { CloseCode, ErrorCode } from '@minisocket/protocol'
export type { Json, PresenceMember, StreamPosition } from '@minisocket/protocol'
