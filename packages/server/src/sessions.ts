/**
 * Sessions outlive connections for the resume window: a connection dropped without close 1000
 * leaves its session held, shown `away` in presence; a connect carrying the session id within the
 * window resumes it (same client id, no leave/join flap, G7); otherwise it is released (leave).
 *
 * Session ids are 128-bit random secrets bound to the user (research/reliability.md S4); the
 * client id shown to others in presence and publisher info is a separate random id.
 */
import { randomBytes } from 'node:crypto'
import type { Json, PresenceState } from '@minisocket/protocol'
import type { Clock, Logger } from './api.js'
import type { PresenceTracker } from './presence.js'

export interface SessionRecord {
  readonly id: string
  readonly client: string
  readonly user: string
  info: Json | undefined
  state: PresenceState
  /**
   * Channels where this session is a presence member; created at the first join (an empty Set
   * per idle connection was part of the 66 bytes of Map + Set in bench/analysis.md).
   */
  presence: Set<string> | undefined
  /** The connection serving the session; undefined while held. */
  owner: object | undefined
  holdTimer: unknown
}

export class SessionRegistry {
  private readonly sessions = new Map<string, SessionRecord>()

  constructor(
    private readonly presence: PresenceTracker,
    private readonly clock: Clock,
    private readonly resumeWindowMs: number,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.sessions.size
  }

  create(user: string, info: Json | undefined, owner: object): SessionRecord {
    const record: SessionRecord = {
      id: randomBytes(16).toString('base64url'),
      client: randomBytes(9).toString('base64url'),
      user,
      info,
      state: 'online',
      presence: undefined,
      owner,
      holdTimer: undefined,
    }
    this.sessions.set(record.id, record)
    return record
  }

  /**
   * Resumes a session for a new connection: only for the same user. Returns the record and
   * the connection that owned it until now (to be closed: the new one proved the secret).
   */
  claim(id: string, user: string, owner: object): { record: SessionRecord; previous: object | undefined } | undefined {
    const record = this.sessions.get(id)
    if (record === undefined || record.user !== user) return undefined
    if (record.holdTimer !== undefined) this.clock.clearTimeout(record.holdTimer)
    record.holdTimer = undefined
    const previous = record.owner
    record.owner = owner
    return { record, previous }
  }

  /** The owner dropped: keep the session `away` for the resume window, then release it. */
  hold(record: SessionRecord): void {
    record.owner = undefined
    if (record.holdTimer !== undefined) this.clock.clearTimeout(record.holdTimer)
    record.holdTimer = this.clock.setTimeout(() => {
      record.holdTimer = undefined
      void this.release(record)
    }, this.resumeWindowMs)
    void this.presence.setState(record, 'away')
  }

  /** Ends the session: leaves every presence channel at once. */
  async release(record: SessionRecord): Promise<void> {
    if (this.sessions.get(record.id) !== record) return
    this.sessions.delete(record.id)
    record.owner = undefined
    if (record.holdTimer !== undefined) this.clock.clearTimeout(record.holdTimer)
    record.holdTimer = undefined
    await this.presence.leaveAll(record)
    this.logger.debug('session released', { client: record.client, user: record.user })
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((record) => this.release(record)))
  }
}
