import { ErrorCode, type Json, type PresenceMember, type Publication, type PublisherInfo, type PubFrame, type ServerFrame, type StreamPosition, type SubscribedFrame } from '@minisocket/protocol'
import type { Clock } from './clock.js'
import { createEmitter } from './emitter.js'
import type { ClientError } from './errors.js'
import type { Logger } from './logger.js'
import type { RequestFrame } from './requests.js'
import { subscriptionTransitions, type StateChange, type SubscriptionState } from './states.js'

export interface PublicationEvent {
  channel: string
  data: Json
  /** Channels with history: the publication's place in the stream. */
  offset?: number | undefined
  epoch?: string | undefined
  /** Who published (client and user ids), when the server tells. */
  info?: PublisherInfo | undefined
}

export interface SubscribedEvent {
  channel: string
  /** The server confirmed that every publication after our last position has been delivered (G2). */
  recovered: boolean
  /** Not the first subscribe of this subscription: after a reconnect or a detected gap. */
  resubscribed: boolean
  /** Publications may have been missed and cannot be replayed: reload the state from the source. */
  reload: boolean
  /** Current position (channels with history). */
  epoch?: string | undefined
  offset?: number | undefined
}

export interface SubscriptionEvents {
  state: StateChange<SubscriptionState>
  subscribed: SubscribedEvent
  publication: PublicationEvent
  /** A member joined, or changed state (online ↔ away): an upsert. */
  join: PresenceMember
  leave: PresenceMember
  /** Diagnostic: a refused or failed subscribe. A refusal that cannot succeed also moves to `unsubscribed`. */
  error: ClientError
}

export type SubscriptionHandlers = { [K in keyof SubscriptionEvents]?: (event: SubscriptionEvents[K]) => void }

export interface HistoryQuery {
  /** Publications after this position (default: the latest `limit`). */
  since?: StreamPosition
  limit?: number
}

export interface HistoryResult {
  epoch: string
  offset: number
  publications: Publication[]
  /** Only with `since`: false when that position is no longer covered by history. */
  recovered?: boolean
}

/**
 * A channel subscription with its own state machine (unsubscribed → subscribing → subscribed).
 * It resubscribes with `since` after every reconnect and checks offset continuity on live
 * publications: a duplicate offset is dropped, a jump triggers a resubscribe with `since` (G3).
 *
 * @example
 * const sub = client.subscribe('chat:lobby', {
 *   publication: (p) => render(p.data),
 *   subscribed: (s) => { if (s.reload) reloadFromApi() },
 * })
 * sub.unsubscribe() // sends unsubscribe and drops every listener
 */
export interface Subscription {
  readonly channel: string
  readonly state: SubscriptionState
  /** Last position delivered (channels with history); pass it as `since` to resume elsewhere. */
  readonly position: StreamPosition | undefined
  on<K extends keyof SubscriptionEvents>(type: K, fn: (event: SubscriptionEvents[K]) => void): () => void
  unsubscribe(): void
  history(query?: HistoryQuery): Promise<HistoryResult>
  presence(): Promise<PresenceMember[]>
}

/** What a subscription needs from its client. */
export interface SubscriptionHost {
  readonly connected: boolean
  readonly clock: Clock
  readonly logger: Logger
  readonly timeout: number
  request(frame: RequestFrame, timeout: number, onReply?: (frame: ServerFrame) => void): Promise<ServerFrame>
  /** Sends without waiting for the reply. */
  send(frame: RequestFrame): void
  retryDelay(attempt: number): number
  remove(channel: string): void
  history(channel: string, query?: HistoryQuery): Promise<HistoryResult>
  presence(channel: string): Promise<PresenceMember[]>
}

/** The client's side of a subscription. */
export interface SubscriptionInternals extends Subscription {
  /** (Re)subscribes now; settles when the reply (or a failure) arrived. */
  subscribe(): Promise<void>
  disconnected(code: number, reason: string): void
  pub(frame: PubFrame): void
  member(joined: boolean, member: PresenceMember): void
}

export function createSubscription(channel: string, host: SubscriptionHost, since: StreamPosition | undefined, handlers: SubscriptionHandlers): SubscriptionInternals {
  let state: SubscriptionState = 'unsubscribed'
  let epoch = since?.epoch
  let offset = since?.offset
  let attempt = 0 // invalidates replies to superseded subscribe requests
  let failures = 0
  let everSubscribed = false
  let retry: unknown
  const events = createEmitter<SubscriptionEvents>(host.logger)
  for (const type of Object.keys(handlers) as Array<keyof SubscriptionEvents>) events.on(type, handlers[type] as never)

  const setState = (to: SubscriptionState, code = 0, reason = ''): void => {
    const from = state
    if (from === to) return
    if (!subscriptionTransitions[from].includes(to)) host.logger.error('subscription: illegal transition', { channel, from, to })
    state = to
    events.emit('state', { from, to, code, reason })
  }

  const stopRetry = (): void => {
    if (retry !== undefined) host.clock.clearTimeout(retry)
    retry = undefined
  }

  const deliver = (p: Publication, pubEpoch: string | undefined): void => {
    if (typeof p.offset === 'number') {
      if (offset !== undefined && pubEpoch === epoch && p.offset <= offset) return // duplicate (G3)
      offset = p.offset
      epoch = pubEpoch
    }
    events.emit('publication', { channel, data: p.data, offset: p.offset, epoch: pubEpoch, info: p.info })
  }

  const onSubscribed = (f: SubscribedFrame, recovering: boolean): void => {
    failures = 0
    const recovered = recovering && f.recovered === true
    const resubscribed = everSubscribed
    everSubscribed = true
    // Not recovered: continue from the stream's current top (the app reloads what it missed).
    if (!recovered) {
      epoch = f.epoch
      offset = f.offset
    }
    setState('subscribed')
    events.emit('subscribed', { channel, recovered, resubscribed, reload: (recovering || resubscribed) && !recovered, epoch: f.epoch, offset: f.offset })
    for (const p of recovered && Array.isArray(f.publications) ? f.publications : []) {
      if (state !== 'subscribed') return
      deliver(p, f.epoch)
    }
  }

  const subscribe = (): Promise<void> => {
    const mine = ++attempt
    stopRetry()
    const position = epoch !== undefined && offset !== undefined ? { epoch, offset } : undefined
    const frame: RequestFrame = position ? { type: 'subscribe', channel, since: position } : { type: 'subscribe', channel }
    const onReply = (f: ServerFrame): void => {
      if (mine === attempt && f.type === 'subscribed') onSubscribed(f, position !== undefined)
    }
    // onReply, not .then: the live pubs right behind the reply must find us `subscribed`.
    return host.request(frame, host.timeout, onReply).then(
      () => {},
      (error: ClientError) => {
        if (mine !== attempt || error.code === ErrorCode.Disconnected || error.code === ErrorCode.Closed) return // the next connection resubscribes
        events.emit('error', error)
        if (error.retryable) retry = host.clock.setTimeout(() => host.connected && void subscribe(), host.retryDelay(failures++))
        else end(error.code, error.message)
      },
    )
  }

  const end = (code: number, reason: string): void => {
    attempt++
    stopRetry()
    host.remove(channel)
    setState('unsubscribed', code, reason)
  }

  const sub: SubscriptionInternals = {
    channel,
    get state() {
      return state
    },
    get position() {
      return epoch !== undefined && offset !== undefined ? { epoch, offset } : undefined
    },
    on: (type, fn) => events.on(type, fn),
    unsubscribe() {
      if (state === 'unsubscribed') return
      if (host.connected) host.send({ type: 'unsubscribe', channel })
      end(0, 'unsubscribe')
      events.clear()
    },
    history: (query) => host.history(channel, query),
    presence: () => host.presence(channel),
    subscribe() {
      setState('subscribing')
      // Not connected: the client calls this again on `connected` (a queued request would double it).
      return host.connected ? subscribe() : Promise.resolve()
    },
    disconnected(code, reason) {
      attempt++
      stopRetry()
      if (state === 'subscribed') setState('subscribing', code, reason)
    },
    pub(f) {
      // While subscribing, a pub belongs to the old subscription: the recovery reply covers it.
      if (state !== 'subscribed') return
      // typeof, not !== undefined: frames are parsed, not validated (client.ts receive()).
      if (typeof f.offset === 'number' && offset !== undefined) {
        if (f.epoch === epoch && f.offset <= offset) return host.logger.debug('duplicate publication dropped', { channel, offset: f.offset })
        if (f.epoch !== epoch || f.offset > offset + 1) {
          // A jump in offsets (or a new epoch): resubscribe from our position (G3).
          host.logger.warn('publication gap: recovering', { channel, have: offset, got: f.offset })
          setState('subscribing', 0, 'gap')
          host.send({ type: 'unsubscribe', channel })
          void subscribe()
          return
        }
      }
      deliver(f, f.epoch)
    },
    member(joined, member) {
      events.emit(joined ? 'join' : 'leave', member)
    },
  }
  return sub
}
