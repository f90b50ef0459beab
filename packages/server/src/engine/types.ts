/**
 * The seams between a server node and its storage/fan-out engine. The memory implementations
 * (this folder) serve a single node; @minisocket/redis implements the same interfaces for many
 * nodes. One contract suite (@minisocket/server/contract) runs against both.
 */
import type { Json, PresenceMember, Publication, PublisherInfo, StreamPosition } from '@minisocket/protocol'

/** History settings of a channel, from its namespace. size 0 means no history. */
export interface HistoryOptions {
  /** Publications kept per channel (oldest trimmed first). */
  size: number
  /** The stream expires this long after its last publication; a new epoch starts after that. */
  ttlMs: number
}

export interface PublishOptions {
  /** Keep in history (and assign epoch/offset). Absent: live delivery only, no offset. */
  history?: HistoryOptions
  /**
   * Deduplicate on this key (G4 HTTP `Idempotency-Key`, G5 client message ids) within
   * `idempotencyTtlMs`: a repeat stores and delivers nothing and returns the first result.
   */
  idempotencyKey?: string
  idempotencyTtlMs?: number
}

export interface PublishResult {
  /** Stream position given to the publication (channels with history). */
  epoch?: string
  offset?: number
  /** True when the idempotency key had been seen: nothing was stored or delivered. */
  duplicate: boolean
}

/** A publication as fanned out between nodes: with its stream position when it has one. */
export interface StreamPublication extends Publication {
  epoch?: string
}

export interface HistoryQuery {
  /** Publications with offset > since.offset, if since.epoch is the current epoch. */
  since?: StreamPosition
  /** At most this many, oldest first (default: all retained). */
  limit?: number
}

export interface HistoryResult {
  /** Current epoch and top offset of the stream (created, with offset 0, if missing). */
  epoch: string
  offset: number
  /** Oldest first. */
  publications: Publication[]
  /** Lowest offset still retained (top + 1 when the stream is empty). */
  firstOffset: number
}

/** Called by the broker on the node for every message on a channel the node subscribed to. */
export interface BrokerHandler {
  onPublication(channel: string, publication: StreamPublication): void
  onJoin(channel: string, member: PresenceMember): void
  onLeave(channel: string, member: PresenceMember): void
  /**
   * The node may have missed messages (e.g. its Redis pub/sub connection dropped). Live
   * subscribers must recover by offset: the server tells their clients to resubscribe.
   */
  onResync?(): void
}

export interface Broker {
  /** Starts delivering to `handler`. Called once per node before any subscribe. */
  start(handler: BrokerHandler): Promise<void>
  /** Starts receiving this channel's messages on this node (idempotent). */
  subscribe(channel: string): Promise<void>
  unsubscribe(channel: string): Promise<void>
  /**
   * Appends to history (when options.history) and fans out to every subscribed node, as one
   * atomic step: offsets are assigned in delivery order, so G1/G2 hold across nodes.
   */
  publish(channel: string, data: Json, info: PublisherInfo | undefined, options: PublishOptions): Promise<PublishResult>
  publishJoin(channel: string, member: PresenceMember): Promise<void>
  publishLeave(channel: string, member: PresenceMember): Promise<void>
  /** Reads the stream, creating it (new epoch, offset 0) when missing or expired. */
  history(channel: string, query: HistoryQuery, options: HistoryOptions): Promise<HistoryResult>
  removeHistory(channel: string): Promise<void>
  close(): Promise<void>
}

export interface PresenceStore {
  /**
   * Adds or updates a member; it expires after `ttlMs` unless refreshed by another add.
   * Resolves `true` when the client was not a live member before (new, removed, or expired),
   * `false` when this add only updated or refreshed it — so a heartbeat refresh that brings a
   * swept member back can announce it with a join (G7: views converge after a node pause).
   */
  add(channel: string, member: PresenceMember, ttlMs: number): Promise<boolean>
  remove(channel: string, client: string): Promise<void>
  list(channel: string): Promise<PresenceMember[]>
  close(): Promise<void>
}

/** Recovery as G2 defines it, from a history read made for a `since` position. */
export function recoveryOutcome(since: StreamPosition, read: HistoryResult): { recovered: boolean; publications: Publication[] } {
  const sameEpoch = since.epoch === read.epoch
  const inRange = since.offset <= read.offset
  // Everything after since.offset must still be retained: the oldest kept offset is at most since+1.
  const complete = read.firstOffset <= since.offset + 1
  if (sameEpoch && inRange && complete) {
    const missed = read.publications.filter((p) => (p.offset ?? 0) > since.offset)
    // A limited read may have returned fewer than the gap: then it is not a recovery.
    if (missed.length === read.offset - since.offset) return { recovered: true, publications: missed }
  }
  return { recovered: false, publications: [] }
}
