import type { Json } from '@minisocket/protocol'
import type { SyncStorage } from './adapter.js'
import { createAlarm } from './alarm.js'
import type { Clock } from './clock.js'
import type { ClientError } from './errors.js'
import type { Logger } from './logger.js'

/** Bounds of the outbox; every one is explicit and its overflow is an event (features.md §3.8). */
export interface OutboxOptions {
  /** Most messages queued. Default 100. */
  maxCount?: number
  /** Most bytes queued (UTF-8 of channel + JSON data). Default 262144 (256 KiB). */
  maxBytes?: number
  /**
   * A message not acknowledged this long (ms) after `publish()` is dropped. Default 300000
   * (5 min). Keep it below the server's idempotencyWindowMs (10 min by default), or a re-send
   * may no longer be recognised as a duplicate.
   */
  maxAge?: number
  /** Persist the queue so it survives an app kill (sync storage: localStorage, setStorageSync). */
  storage?: SyncStorage
  /** Storage key; give two clients on one storage different keys. Default 'minisocket:outbox'. */
  key?: string
}

export interface OutboxEntry {
  channel: string
  data: Json
  /** Client message id: every re-send carries it, the server deduplicates on it (G5). */
  mid: string
  /** When it was queued (clock ms). */
  at: number
  size: number
  /** Settle the `publish()` promise; absent for entries reloaded from storage. */
  resolve?: (ack: { epoch?: string; offset?: number; duplicate?: boolean }) => void
  reject?: (error: ClientError) => void
}

/** UTF-8 length without TextEncoder (absent on some mini-program runtimes). */
export function utf8Length(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    n += c < 0x80 ? 1 : c < 0x800 || (c >= 0xdc00 && c < 0xe000) ? 2 : 3
  }
  return n
}

/**
 * The queue of publishes not yet acknowledged, in publish order. Entries leave it on their ack
 * (or a refusal), on age-out, or on `close()`. With `storage`, every change is written through,
 * and the queue is reloaded at creation: reloaded entries keep their `mid`.
 */
export function createOutbox(options: OutboxOptions, clock: Clock, logger: Logger, onExpire: (entry: OutboxEntry) => void) {
  const maxCount = options.maxCount ?? 100
  const maxBytes = options.maxBytes ?? 262_144
  const maxAge = options.maxAge ?? 300_000
  const { storage } = options
  const key = options.key ?? 'minisocket:outbox'
  let list: OutboxEntry[] = []

  const persist = (): void => {
    if (storage === undefined) return
    try {
      if (list.length === 0) storage.removeItem(key)
      else storage.setItem(key, JSON.stringify(list.map(({ channel, data, mid, at }) => ({ channel, data, mid, at }))))
    } catch (error) {
      logger.error('outbox: storage write failed', { error })
    }
  }

  // One alarm, for the oldest entry's deadline.
  const arm = (): void => alarm.set(list.length > 0 ? list[0]!.at + maxAge : Infinity)
  const alarm = createAlarm(clock, (): void => {
    const now = clock.now()
    const old = list.filter((e) => e.at + maxAge <= now)
    list = list.filter((e) => e.at + maxAge > now)
    persist()
    arm()
    for (const e of old) onExpire(e)
  })

  if (storage !== undefined) {
    try {
      const saved: unknown = JSON.parse(storage.getItem(key) || '[]')
      for (const e of Array.isArray(saved) ? saved : []) {
        // Only well-formed entries come back: storage is outside our control.
        if (typeof e?.channel === 'string' && typeof e.mid === 'string' && typeof e.at === 'number' && 'data' in e) {
          list.push({ channel: e.channel, data: e.data, mid: e.mid, at: e.at, size: utf8Length(e.channel + JSON.stringify(e.data)) })
        }
      }
    } catch (error) {
      logger.error('outbox: stored queue unreadable, starting empty', { error })
    }
    arm()
  }

  return {
    get entries(): readonly OutboxEntry[] {
      return list
    },
    /** Queues the entry, or returns false (and queues nothing) when a bound would be passed. */
    add(entry: OutboxEntry): boolean {
      let bytes = entry.size
      for (const e of list) bytes += e.size
      if (list.length >= maxCount || bytes > maxBytes) return false
      list.push(entry)
      persist()
      if (list.length === 1) arm()
      return true
    },
    remove(entry: OutboxEntry): void {
      const before = list.length
      list = list.filter((e) => e !== entry)
      if (list.length === before) return
      persist()
      arm()
    },
    /** Empties the queue (and its storage), rejecting every pending `publish()` with `error`. */
    clear(error: ClientError): void {
      const old = list
      list = []
      persist()
      arm()
      for (const e of old) e.reject?.(error)
    },
  }
}
