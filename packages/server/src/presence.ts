/**
 * Presence membership of sessions: join (an upsert, sent again when the state changes
 * online ↔ away), leave, and TTL refresh. Storage or broker failures are logged, never thrown:
 * presence is eventually consistent (G7) and must not fail a subscribe or a disconnect.
 */
import type { PresenceMember, PresenceState } from '@minisocket/protocol'
import type { Logger } from './api.js'
import type { Broker, PresenceStore } from './engine/types.js'
import type { SessionRecord } from './sessions.js'

export interface PresenceTtls {
  /** An online member not refreshed (by heartbeats) within this disappears: crash bound. */
  onlineTtlMs: number
  /** An away member (dropped, suspended) lasts this long unless resumed. */
  awayTtlMs: number
}

export class PresenceTracker {
  constructor(
    private readonly store: PresenceStore,
    private readonly broker: Broker,
    private readonly ttls: PresenceTtls,
    private readonly logger: Logger,
  ) {}

  member(record: SessionRecord): PresenceMember {
    const member: PresenceMember = { client: record.client, user: record.user, state: record.state }
    if (record.info !== undefined) member.info = record.info
    return member
  }

  private ttl(record: SessionRecord): number {
    return record.state === 'online' ? this.ttls.onlineTtlMs : this.ttls.awayTtlMs
  }

  private failed(what: string, channel: string, err: unknown): void {
    this.logger.warn(`presence ${what} failed`, { channel, error: (err as Error)?.message })
  }

  /** Adds the session to a channel's presence (or re-announces it) and tells every node. */
  async join(record: SessionRecord, channel: string): Promise<void> {
    record.presence ??= new Set()
    record.presence.add(channel)
    const member = this.member(record)
    try {
      await this.store.add(channel, member, this.ttl(record))
      await this.broker.publishJoin(channel, member)
    } catch (err) {
      this.failed('join', channel, err)
    }
  }

  async leave(record: SessionRecord, channel: string): Promise<void> {
    if (record.presence?.delete(channel) !== true) return
    const member = this.member(record)
    try {
      await this.store.remove(channel, record.client)
      await this.broker.publishLeave(channel, member)
    } catch (err) {
      this.failed('leave', channel, err)
    }
  }

  async leaveAll(record: SessionRecord): Promise<void> {
    await Promise.all([...(record.presence ?? [])].map((channel) => this.leave(record, channel)))
  }

  /** Sets the state on all the session's channels: a `join` upsert per channel when it changed. */
  async setState(record: SessionRecord, state: PresenceState): Promise<void> {
    if (record.state === state) return
    record.state = state
    await Promise.all([...(record.presence ?? [])].map((channel) => this.join(record, channel)))
  }

  /**
   * Extends the TTL of the session's memberships (called on heartbeats). Silent, unless the store
   * had lost the member — swept after a node pause longer than the TTL, or a presence store that
   * restarted empty: then the member is back and every node is told with a join (G7).
   */
  refresh(record: SessionRecord): void {
    if (record.presence === undefined) return
    const member = this.member(record)
    for (const channel of record.presence) {
      this.store
        .add(channel, member, this.ttl(record))
        .then((fresh) => (fresh && record.presence?.has(channel) === true ? this.broker.publishJoin(channel, member) : undefined))
        .catch((err: unknown) => this.failed('refresh', channel, err))
    }
  }
}
