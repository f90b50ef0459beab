/** fast-check arbitraries: valid frames of every type, and hostile mutations of them. */
import fc from 'fast-check'
import type { ClientFrame, Json, PresenceMember, Publication, PublisherInfo, ServerFrame, StreamPosition } from '../src/index.js'

const nameChars = 'abcxyzABZ0189_-:.@/=+,!~*#$%&|'.split('')
export const name = fc.string({ unit: fc.constantFrom(...nameChars), minLength: 1, maxLength: 40 })
const id = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
const offset = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
const shortText = fc.string({ unit: 'grapheme', maxLength: 24 })

function hasProtoKey(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false
  if (Array.isArray(v)) return v.some(hasProtoKey)
  return Object.keys(v).some((k) => k === '__proto__' || hasProtoKey((v as Record<string, unknown>)[k]))
}

/** JSON data a valid frame may carry: bounded depth, no `__proto__` keys. */
export const data: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 6 }).filter((v) => !hasProtoKey(v)) as fc.Arbitrary<Json>
const position: fc.Arbitrary<StreamPosition> = fc.record({ epoch: fc.string({ maxLength: 64 }), offset })
const publisher: fc.Arbitrary<PublisherInfo> = fc.record({ client: shortText, user: shortText })
const publication: fc.Arbitrary<Publication> = fc.record({ data, offset, info: publisher }, { requiredKeys: ['data'] })
const member: fc.Arbitrary<PresenceMember> = fc.record(
  { client: shortText, user: shortText, state: fc.constantFrom('online' as const, 'away' as const), info: data },
  { requiredKeys: ['client', 'user', 'state'] },
)
const opt = { requiredKeys: ['type', 'id'] as Array<'type' | 'id'> }

export const clientFrame: fc.Arbitrary<ClientFrame> = fc.oneof(
  fc.record({ type: fc.constant('connect' as const), id, versions: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 16 }), token: shortText, session: fc.string({ maxLength: 128 }), info: data }, { requiredKeys: ['type', 'id', 'versions'] }),
  fc.record({ type: fc.constant('subscribe' as const), id, channel: name, since: position }, { requiredKeys: ['type', 'id', 'channel'] }),
  fc.record({ type: fc.constant('unsubscribe' as const), id, channel: name }),
  fc.record({ type: fc.constant('publish' as const), id, channel: name, data, mid: fc.string({ maxLength: 128 }) }, { requiredKeys: ['type', 'id', 'channel', 'data'] }),
  fc.record({ type: fc.constant('rpc' as const), id, method: name, data }),
  fc.record({ type: fc.constant('presence' as const), id, channel: name }),
  fc.record({ type: fc.constant('history' as const), id, channel: name, since: position, limit: fc.integer({ min: 1, max: 1000 }) }, { requiredKeys: ['type', 'id', 'channel'] }),
  fc.record({ type: fc.constant('state' as const), id, state: fc.constantFrom('online' as const, 'away' as const) }),
  fc.constant({ type: 'ping' as const }),
  fc.constant({ type: 'pong' as const }),
)

const natural = fc.nat({ max: 1e9 })
export const serverFrame: fc.Arbitrary<ServerFrame> = fc.oneof(
  fc.record({ type: fc.constant('connected' as const), id, version: fc.integer({ min: 1, max: 9 }), session: fc.string({ maxLength: 128 }), client: fc.string({ maxLength: 128 }), user: shortText, time: natural, ping: natural, pongTimeout: natural, resumeWindow: natural, maxMessageSize: fc.integer({ min: 1, max: 1e9 }), resumed: fc.boolean() }),
  fc.record({ type: fc.constant('subscribed' as const), id: fc.nat(), channel: name, epoch: fc.string({ maxLength: 64 }), offset, recovered: fc.boolean(), publications: fc.array(publication, { maxLength: 5 }) }, { requiredKeys: ['type', 'id', 'channel'] }),
  fc.record({ type: fc.constant('unsubscribed' as const), id: fc.nat(), channel: name }),
  fc.record({ type: fc.constant('ack' as const), id, epoch: fc.string({ maxLength: 64 }), offset, duplicate: fc.boolean() }, opt),
  fc.record({ type: fc.constant('reply' as const), id, data }),
  fc.record({ type: fc.constant('presence' as const), id, channel: name, members: fc.array(member, { maxLength: 5 }) }),
  fc.record({ type: fc.constant('history' as const), id, channel: name, epoch: fc.string({ maxLength: 64 }), offset, publications: fc.array(publication, { maxLength: 5 }), recovered: fc.boolean() }, { requiredKeys: ['type', 'id', 'channel', 'epoch', 'offset', 'publications'] }),
  fc.record({ type: fc.constant('state' as const), id, state: fc.constantFrom('online' as const, 'away' as const) }),
  fc.record({ type: fc.constant('pub' as const), channel: name, data, epoch: fc.string({ maxLength: 64 }), offset, info: publisher }, { requiredKeys: ['type', 'channel', 'data'] }),
  fc.record({ type: fc.constant('join' as const), channel: name, member }),
  fc.record({ type: fc.constant('leave' as const), channel: name, member }),
  fc.record({ type: fc.constant('disconnect' as const), code: fc.integer({ min: 1000, max: 4999 }), reason: fc.string({ maxLength: 123 }), reconnect: fc.boolean(), retryAfter: natural }, { requiredKeys: ['type', 'code', 'reason', 'reconnect'] }),
  fc.record({ type: fc.constant('error' as const), id, code: fc.nat({ max: 999 }), message: fc.string({ maxLength: 1024 }) }, { requiredKeys: ['type', 'code', 'message'] }),
  fc.constant({ type: 'ping' as const }),
  fc.constant({ type: 'pong' as const }),
)

/** Hostile values for a field: wrong types, out-of-range numbers, prototype keys, deep nests. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-1, 0, 1.5, -0, 2 ** 53, 1e308, -1e308, '', ' ', '__proto__', 'constructor', null, true, [], {}),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true}}') as unknown),
  fc.constant({ constructor: { prototype: { polluted: true } } }),
  fc.integer({ min: 1, max: 60 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown),
)

/** Assignment that makes `__proto__` an own key (as JSON.parse does) instead of setting the prototype. */
function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
}

/** A structural mutation of a frame object: set, delete or add a field (possibly nested). */
export function mutateObject(frame: object): fc.Arbitrary<string> {
  const keys = Object.keys(frame)
  return fc.tuple(fc.constantFrom(...keys, 'type', 'id', 'extra', '__proto__'), fc.constantFrom('set', 'delete', 'nest'), hostileValue).map(([key, op, value]) => {
    const copy: Record<string, unknown> = JSON.parse(JSON.stringify(frame)) as Record<string, unknown>
    if (op === 'delete') delete copy[key]
    else setOwn(copy, key, op === 'set' ? value : { inner: value, [key]: copy[key] })
    return JSON.stringify(copy)
  })
}

/** A character-level mutation of a wire text: insert, delete, replace or truncate. */
export function mutateText(text: string): fc.Arbitrary<string> {
  return fc.tuple(fc.nat({ max: text.length }), fc.constantFrom('insert', 'delete', 'replace', 'truncate'), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })).map(([at, op, s]) => {
    if (op === 'insert') return text.slice(0, at) + s + text.slice(at)
    if (op === 'delete') return text.slice(0, at) + text.slice(at + 1)
    if (op === 'replace') return text.slice(0, at) + s + text.slice(at + s.length)
    return text.slice(0, at)
  })
}
