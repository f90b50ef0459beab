/**
 * In-memory channel streams for a single node: per channel an epoch, a top offset and the last
 * `size` publications, expiring `ttlMs` after the last append (then a new epoch starts, so a
 * client holding the old epoch gets `recovered: false`, never a silent gap — G2).
 */
import { randomBytes } from 'node:crypto'
import type { Json, Publication, PublisherInfo } from '@minisocket/protocol'
import type { Clock } from '../api.js'
import type { HistoryOptions, HistoryQuery, HistoryResult } from './types.js'

interface Stream {
  epoch: string
  offset: number
  /** Oldest first; at most `size` entries. */
  publications: Publication[]
  expiresAt: number
}

export function newEpoch(): string {
  return randomBytes(6).toString('hex')
}

export class MemoryHistory {
  private readonly streams = new Map<string, Stream>()

  constructor(
    private readonly clock: Clock,
    private readonly makeEpoch: () => string = newEpoch,
  ) {}

  /** Appends and returns the assigned position. */
  append(channel: string, data: Json, info: PublisherInfo | undefined, options: HistoryOptions): { epoch: string; publication: Publication } {
    const stream = this.live(channel, options)
    stream.offset += 1
    const publication: Publication = { data, offset: stream.offset }
    if (info !== undefined) publication.info = info
    stream.publications.push(publication)
    // Trimming one at a time is enough: each append adds exactly one.
    while (stream.publications.length > Math.max(0, options.size)) stream.publications.shift()
    stream.expiresAt = this.clock.now() + options.ttlMs
    return { epoch: stream.epoch, publication }
  }

  read(channel: string, query: HistoryQuery, options: HistoryOptions): HistoryResult {
    const stream = this.live(channel, options)
    const retained = stream.publications
    const firstOffset = retained[0]?.offset ?? stream.offset + 1
    let selected: Publication[]
    const limit = query.limit
    if (query.since !== undefined && query.since.epoch === stream.epoch) {
      const after = query.since.offset
      selected = retained.filter((p) => (p.offset ?? 0) > after)
      if (limit !== undefined) selected = selected.slice(0, Math.max(0, limit))
    } else {
      // No usable position: the latest `limit` publications, oldest first.
      selected = limit === undefined ? retained.slice() : limit <= 0 ? [] : retained.slice(-limit)
    }
    return { epoch: stream.epoch, offset: stream.offset, publications: selected, firstOffset }
  }

  remove(channel: string): void {
    this.streams.delete(channel)
  }

  /** The stream as it is now: created (offset 0, new epoch) when missing or expired. */
  private live(channel: string, options: HistoryOptions): Stream {
    const now = this.clock.now()
    let stream = this.streams.get(channel)
    if (stream === undefined || stream.expiresAt <= now) {
      stream = { epoch: this.makeEpoch(), offset: 0, publications: [], expiresAt: now + options.ttlMs }
      this.streams.set(channel, stream)
    }
    return stream
  }

  /** Drops expired streams; called now and then so idle channels do not hold memory. */
  sweep(): void {
    const now = this.clock.now()
    for (const [channel, stream] of this.streams) if (stream.expiresAt <= now) this.streams.delete(channel)
  }
}
