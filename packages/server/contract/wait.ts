/**
 * Polling helpers for the contract suites. Engines deliver asynchronously (Redis pub/sub) or on
 * a microtask (memory), so the suites wait for a condition, bounded in time and in rounds.
 */
import type { PresenceMember } from '@minisocket/protocol'
import type { BrokerHandler, StreamPublication } from '../src/engine/types.js'

const POLL_MS = 5

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Resolves once `check()` is true; rejects with `what` after `timeoutMs` (default 3 s). */
export async function eventually(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const rounds = Math.ceil(timeoutMs / POLL_MS)
  for (let i = 0; i < rounds; i++) {
    if (check()) return
    await pause(POLL_MS)
  }
  if (!check()) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`)
}

/** A BrokerHandler that writes down everything it is given, per channel. */
export class Recorder implements BrokerHandler {
  readonly publications = new Map<string, StreamPublication[]>()
  readonly joins = new Map<string, PresenceMember[]>()
  readonly leaves = new Map<string, PresenceMember[]>()
  resyncs = 0

  onPublication(channel: string, publication: StreamPublication): void {
    listOf(this.publications, channel).push(publication)
  }

  onJoin(channel: string, member: PresenceMember): void {
    listOf(this.joins, channel).push(member)
  }

  onLeave(channel: string, member: PresenceMember): void {
    listOf(this.leaves, channel).push(member)
  }

  onResync(): void {
    this.resyncs++
  }

  pubs(channel: string): StreamPublication[] {
    return this.publications.get(channel) ?? []
  }
}

function listOf<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key)
  if (list === undefined) {
    list = []
    map.set(key, list)
  }
  return list
}

let counter = 0
/** A channel name no other test uses (engines may share one Redis across tests). */
export function uniqueChannel(label: string): string {
  counter++
  return `contract:${label}:${process.pid}:${counter}`
}
