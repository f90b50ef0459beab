/**
 * In-memory presence for a single node. Members expire `ttlMs` after their last `add`, so a
 * member whose node forgot it (crash, lost leave) disappears within a stated bound (G7).
 */
import type { PresenceMember } from '@minisocket/protocol'
import type { Clock } from '../api.js'
import { systemClock } from '../clock.js'
import type { PresenceStore } from './types.js'

interface Entry {
  member: PresenceMember
  expiresAt: number
}

export class MemoryPresence implements PresenceStore {
  private readonly channels = new Map<string, Map<string, Entry>>()

  constructor(private readonly clock: Clock = systemClock) {}

  async add(channel: string, member: PresenceMember, ttlMs: number): Promise<boolean> {
    let members = this.channels.get(channel)
    if (members === undefined) {
      members = new Map()
      this.channels.set(channel, members)
    }
    const now = this.clock.now()
    const previous = members.get(member.client)
    // A copy: the caller's object may change later (state online ↔ away).
    members.set(member.client, { member: { ...member }, expiresAt: now + ttlMs })
    return previous === undefined || previous.expiresAt <= now
  }

  async remove(channel: string, client: string): Promise<void> {
    const members = this.channels.get(channel)
    if (members === undefined) return
    members.delete(client)
    if (members.size === 0) this.channels.delete(channel)
  }

  async list(channel: string): Promise<PresenceMember[]> {
    const members = this.channels.get(channel)
    if (members === undefined) return []
    const now = this.clock.now()
    const out: PresenceMember[] = []
    for (const [client, entry] of members) {
      if (entry.expiresAt <= now) members.delete(client)
      else out.push({ ...entry.member })
    }
    if (members.size === 0) this.channels.delete(channel)
    return out
  }

  async close(): Promise<void> {
    this.channels.clear()
  }
}
