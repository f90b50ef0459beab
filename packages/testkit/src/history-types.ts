/**
 * Shapes of the histories the checker reads (NATS/Jepsen style: every publication carries its own
 * identity, every client records what it saw, a pure function judges the run afterwards).
 */

/** One publication's identity. `seq` is the publisher's own sequence number, unique per publisher. */
export interface Publication {
  channel: string
  epoch: string
  offset: number
  publisher: string
  seq: number
}

/** The client's handler received a publication (live or replayed by a recovery). */
export interface DeliveryEvent extends Publication {
  kind: 'delivery'
}

/**
 * A subscribe or resubscribe result. Record it BEFORE the publications its reply carries.
 * The first one per channel (or the first after `unsubscribed`) is the client's starting point;
 * later ones are recoveries. `offset` is the stream top the server reported (the position the
 * client continues from); without it the checker falls back to the next delivery, which is weaker.
 */
export interface SubscribedEvent {
  kind: 'subscribed'
  channel: string
  recovered: boolean
  epoch: string
  offset?: number
}

/** The client left the channel on purpose: nothing after its position is expected any more. */
export interface UnsubscribedEvent {
  kind: 'unsubscribed'
  channel: string
}

export type ClientEvent = DeliveryEvent | SubscribedEvent | UnsubscribedEvent

/** Everything one client saw, in the order it saw it. */
export interface ClientHistory {
  client: string
  events: readonly ClientEvent[]
}

/** Input of {@link checkIdempotency}: a history listing and the keys the publishers used. */
export interface IdempotencyInput<T = unknown> {
  /** Every idempotency key a publisher sent (retries send the same key again). */
  keys: readonly string[]
  /** The history listing (e.g. every entry of every channel read back after the run). */
  entries: readonly T[]
  /** The idempotency key an entry was written under, if any. */
  keyOf: (entry: T) => string | undefined
}

export interface HistoryInput {
  /** Publications the publishers got an acknowledgement for (their offset included). */
  acknowledged: readonly Publication[]
  clients: readonly ClientHistory[]
  /** Optional: also check one history entry per idempotency key (guarantee G4). */
  idempotency?: IdempotencyInput
}

export interface IdempotencyReport {
  ok: boolean
  /** Keys with no history entry at all. */
  missing: string[]
  /** Keys with more than one history entry. */
  duplicated: { key: string; count: number }[]
}

export interface MissingPublication extends Publication {
  client: string
}

/** The same publication (publisher, seq) under two different positions: a duplicate offsets cannot remove. */
export interface DuplicateAfterDedupe {
  /** null: found in the acknowledged list itself (the history holds it twice). */
  client: string | null
  publisher: string
  seq: number
  positions: string[]
}

export interface OrderViolation {
  client: string
  channel: string
  /** backwards: offset ≤ one already delivered; wrongEpoch: not the subscription's epoch; notSubscribed. */
  kind: 'backwards' | 'wrongEpoch' | 'notSubscribed'
  epoch: string
  offset: number
  /** The client's position in that channel when it happened. */
  after: string | null
}

export interface HiddenGap {
  client: string
  channel: string
  epoch: string
  /** gap: offsets missing from a `recovered: true` replay; epochChanged: `recovered: true` across epochs. */
  kind: 'gap' | 'epochChanged'
  missingOffsets: number[]
}

/** Two different publications at one position. */
export interface Conflict {
  client: string | null
  channel: string
  epoch: string
  offset: number
  expected: string
  got: string
}

export interface HistoryReport {
  ok: boolean
  acknowledged: number
  deliveries: number
  /** Acknowledged publications a client should have had and did not (I1). */
  missing: MissingPublication[]
  /** Not delivered, but covered by a `recovered: false` (or an unsubscribe): allowed. */
  excused: number
  /** Redeliveries of a position the client already had: allowed, counted (I2). */
  duplicatesBeforeDedupe: number
  /** Must be empty (I2). */
  duplicatesAfterDedupe: DuplicateAfterDedupe[]
  /** Must be empty (I3). */
  orderViolations: OrderViolation[]
  /** Must be empty (I4). */
  hiddenGaps: HiddenGap[]
  conflicts: Conflict[]
  /** Starting subscribes, and resubscribes by result. */
  subscribes: { first: number; recoveredTrue: number; recoveredFalse: number }
  /** Present when `idempotency` was given (I5). */
  idempotency: IdempotencyReport | undefined
  /** One readable line per violation (at most 100, then a count). */
  problems: string[]
}
