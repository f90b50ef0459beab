/** Counters for stats()/metrics and a bounded ring of the most recent disconnects. */
import type { ServerStats } from './api.js'

export type DisconnectRecord = ServerStats['recentDisconnects'][number]

export class StatsCollector {
  messagesIn = 0
  messagesOut = 0
  publications = 0
  private readonly recent: DisconnectRecord[] = []

  constructor(private readonly keep = 50) {}

  recordDisconnect(record: DisconnectRecord): void {
    this.recent.unshift(record)
    if (this.recent.length > this.keep) this.recent.pop()
  }

  snapshot(live: { connections: number; channels: number; subscriptions: number }): ServerStats {
    return {
      ...live,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      publications: this.publications,
      recentDisconnects: this.recent.map((r) => ({ ...r })),
    }
  }
}
