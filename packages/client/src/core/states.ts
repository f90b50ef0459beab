/**
 * The two state machines and their transition tables; docs/state-machines.md is this file in
 * prose, and test/core/*-states.test.ts has a test per row. setState() funnels check every move
 * against these tables, so a transition missing here is a bug that gets logged.
 */

/**
 * - `closed`: the initial state, and after `close()` or a terminal close code: nothing is sent and
 *   nothing retries until `connect()`/`reconnect()`.
 * - `disconnected`: no socket, but wanting one: waiting for the backoff timer (or for the network
 *   to return) after a retryable close.
 * - `connecting`: token, socket open and handshake in flight.
 * - `connected`: the server answered `connected`.
 * - `suspended`: the app is hidden (`suspend()`); the server keeps the session; nothing retries
 *   until `resume()`.
 */
export type ClientState = 'disconnected' | 'connecting' | 'connected' | 'suspended' | 'closed'

export const clientTransitions: Readonly<Record<ClientState, readonly ClientState[]>> = {
  disconnected: ['connecting', 'suspended', 'closed'],
  connecting: ['connected', 'disconnected', 'suspended', 'closed'],
  connected: ['connecting', 'disconnected', 'suspended', 'closed'],
  suspended: ['connecting', 'closed'],
  closed: ['connecting'],
}

/**
 * - `unsubscribed`: not wanted (before subscribe, after unsubscribe or a refused subscribe).
 * - `subscribing`: wanted, waiting for a connection or for the `subscribed` reply (also while
 *   recovering from a gap or a reconnect).
 * - `subscribed`: live publications flow.
 */
export type SubscriptionState = 'unsubscribed' | 'subscribing' | 'subscribed'

export const subscriptionTransitions: Readonly<Record<SubscriptionState, readonly SubscriptionState[]>> = {
  unsubscribed: ['subscribing'],
  subscribing: ['subscribed', 'unsubscribed'],
  subscribed: ['subscribing', 'unsubscribed'],
}

/** What every `state` event carries. `code`/`reason` say why (0/'' when asked by the app without one). */
export interface StateChange<S extends string> {
  from: S
  to: S
  code: number
  reason: string
}
