/**
 * What travels on a channel's pub/sub between nodes. Publications are built inside the publish
 * script (so they carry the offset Redis assigned); joins and leaves are built here.
 *   {"t":"p","e":epoch,"o":offset,"b":{data,info?}}   publication (e/o only with history)
 *   {"t":"j","m":member} / {"t":"l","m":member}        join / leave
 */
import type { Json, PresenceMember, PublisherInfo } from '@minisocket/protocol'
import type { StreamPublication } from '@minisocket/server'

export type NodeMessage =
  | { kind: 'publication'; publication: StreamPublication }
  | { kind: 'join' | 'leave'; member: PresenceMember }

/** The stored/published body of a publication. */
export function encodeBody(data: Json, info: PublisherInfo | undefined): string {
  return JSON.stringify(info === undefined ? { data } : { data, info })
}

/** Publication fields from a stored body (the offset is the stream entry's id). */
export function decodeBody(body: string): { data: Json; info?: PublisherInfo } {
  const parsed = JSON.parse(body) as { data: Json; info?: PublisherInfo }
  return parsed.info === undefined ? { data: parsed.data } : { data: parsed.data, info: parsed.info }
}

export function encodeMember(kind: 'join' | 'leave', member: PresenceMember): string {
  return JSON.stringify({ t: kind === 'join' ? 'j' : 'l', m: member })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Decodes a pub/sub message; undefined for anything malformed (logged and dropped by the caller). */
export function decodeMessage(raw: string): NodeMessage | undefined {
  let msg: unknown
  try {
    msg = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (!isObject(msg)) return undefined
  if (msg.t === 'p' && isObject(msg.b) && 'data' in msg.b) {
    const publication: StreamPublication = { data: msg.b.data as Json }
    if (isObject(msg.b.info)) publication.info = msg.b.info as unknown as PublisherInfo
    if (typeof msg.o === 'number' && typeof msg.e === 'string') {
      publication.offset = msg.o
      publication.epoch = msg.e
    }
    return { kind: 'publication', publication }
  }
  if ((msg.t === 'j' || msg.t === 'l') && isObject(msg.m) && typeof msg.m.client === 'string') {
    return { kind: msg.t === 'j' ? 'join' : 'leave', member: msg.m as unknown as PresenceMember }
  }
  return undefined
}
