/**
 * The admin feed: once a second, the server's counters turned into rates and published on
 * `admin:stats` (a channel with history, so a page that opens gets the last minutes for its chart).
 */
import { closeCodeInfo } from '@minisocket/protocol'
import type { Clock, ServerStats } from '@minisocket/server'

/** One sample, as published on `admin:stats`. */
export interface AdminSample {
  /** ms since the epoch. */
  at: number
  connections: number
  channels: number
  subscriptions: number
  /** Frames per second, averaged over the last interval. */
  messagesInPerSec: number
  messagesOutPerSec: number
  publicationsPerSec: number
  /** Clients on the plain WebSocket endpoints (not minisocket connections). */
  plainClients: number
  /** Newest first, at most `maxDisconnects`. */
  recentDisconnects: Array<{ at: number; code: number; name: string; reason: string; user: string }>
}

export interface AdminFeedOptions {
  clock: Clock
  stats: () => ServerStats
  plainClients: () => number
  publish: (sample: AdminSample) => void
  /** Default 1000 ms. */
  intervalMs?: number
  /** Default 8. */
  maxDisconnects?: number
}

export type AdminFeedState = 'stopped' | 'running'

export interface AdminFeed {
  readonly state: AdminFeedState
  start(): void
  stop(): void
  /** Takes a sample now (the timer calls this). */
  sample(): AdminSample
}

const perSec = (delta: number, ms: number): number => (ms > 0 ? Math.round((delta * 10_000) / ms) / 10 : 0)

export function createAdminFeed(options: AdminFeedOptions): AdminFeed {
  const { clock } = options
  const intervalMs = options.intervalMs ?? 1000
  const maxDisconnects = options.maxDisconnects ?? 8
  let state: AdminFeedState = 'stopped'
  let timer: unknown
  let previous = { at: clock.now(), ...options.stats() }

  const setState = (next: AdminFeedState): void => {
    state = next
  }

  const sample = (): AdminSample => {
    const now = { at: clock.now(), ...options.stats() }
    const ms = now.at - previous.at
    const result: AdminSample = {
      at: now.at,
      connections: now.connections,
      channels: now.channels,
      subscriptions: now.subscriptions,
      messagesInPerSec: perSec(now.messagesIn - previous.messagesIn, ms),
      messagesOutPerSec: perSec(now.messagesOut - previous.messagesOut, ms),
      publicationsPerSec: perSec(now.publications - previous.publications, ms),
      plainClients: options.plainClients(),
      recentDisconnects: now.recentDisconnects.slice(0, maxDisconnects).map((d) => ({ ...d, name: closeCodeInfo(d.code).name })),
    }
    previous = now
    return result
  }

  const loop = (): void => {
    timer = undefined
    if (state !== 'running') return
    options.publish(sample())
    timer = clock.setTimeout(loop, intervalMs)
  }

  return {
    get state() {
      return state
    },
    start() {
      if (state === 'running') return
      setState('running')
      previous = { at: clock.now(), ...options.stats() }
      timer = clock.setTimeout(loop, intervalMs)
    },
    stop() {
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
      setState('stopped')
    },
    sample,
  }
}
