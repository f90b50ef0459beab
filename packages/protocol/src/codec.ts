/**
 * Encode and decode protocol frames (v1, and v2's compact `pub`) with strict validation. Decoding never throws: hostile
 * input gives a typed `DecodeError` that says whether the connection must close (`fatal`, with
 * a close code) or can get an `error` reply for the request `id`.
 *
 * Decoded frames are built field by field from an allowlist, so unknown fields are dropped and
 * nothing from the input is merged into objects of ours (no prototype pollution).
 */
import { CloseCode, ErrorCode } from './codes.js'
import type { ClientFrame, ClientFrameType, Json, PubFrame, ServerFrame, ServerFrameType } from './frames.js'
import { type CodecLimits, defaultCodecLimits } from './limits.js'
import { isObj, type Obj, Reader } from './reader.js'
import { clientFrameReaders, serverFrameReaders } from './schema.js'

export interface DecodeError {
  /** True when the connection should be closed with `code` (a close code). */
  fatal: boolean
  /** A CloseCode when fatal, else an ErrorCode to send in an `error` reply. */
  code: number
  message: string
  /** The request id, when it could be read: answer with an error reply to it. */
  id?: number
}

export type DecodeResult<F> = { ok: true; frame: F } | { ok: false; error: DecodeError }

const FORBIDDEN_KEY = '__proto__'

/** Serializes a frame. The result is what goes on the wire as one text message. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame)
}

/**
 * An RPC `reply`, written around the application's data: the same text as
 * `encodeFrame({ type: 'reply', id, data })`, but only `data` goes through JSON.stringify. A
 * reply is the one server frame sent per request at the RPC rate, and stringifying its
 * envelope was a quarter of its encoding (520 against 390 ns per 64-byte reply,
 * bench/analysis.md). Data that JSON has no text for (undefined, a function) is sent as `null`,
 * as the decoder reads a reply without data; data that cannot be serialized (a cycle, a BigInt)
 * throws, as encodeFrame does.
 */
export function encodeReply(id: number, data: unknown): string {
  const json: string | undefined = JSON.stringify(data)
  return `{"type":"reply","id":${id},"data":${json ?? 'null'}}`
}

/**
 * Protocol v2's live publication: `["p", channel, data, offset, epoch, info]`, trailing absent
 * fields left off and a missing middle one sent as `null`. At S subscribers a publication is
 * read S times, and v1's object spends ~80 bytes on keys (`type`, `channel`, `epoch`,
 * `offset`) around the application's data (bench/analysis.md, the section on protocol v2,
 * measured the p99 cost).
 *
 * `withEpoch: false` leaves the epoch off: the publication is then in the epoch the connection
 * last heard on this channel, from its `subscribed` reply or an earlier `pub`. The server
 * decides per connection, and keeps sending a new epoch for a while after it changed, so that
 * losing those frames still shows as an offset jump (connection.ts deliver, docs/protocol.md).
 */
export function encodeCompactPub(frame: PubFrame, withEpoch: boolean): string {
  const epoch = withEpoch ? frame.epoch : undefined
  const a: Array<Json | undefined> = ['p', frame.channel, frame.data, frame.offset, epoch, frame.info as Json | undefined]
  while (a.length > 3 && a[a.length - 1] === undefined) a.pop()
  // JSON.stringify writes an undefined array element as null, which is the wire's "absent".
  return JSON.stringify(a)
}

/**
 * The v1 object form of a compact publication (any array: it is not validated here; a field
 * the array lacks or holds as null is undefined). The strict decoder validates the result like
 * any object frame; the client uses it as it is.
 */
export function expandCompactPub(a: readonly unknown[]): { [key: string]: unknown } {
  return { type: a[0] === 'p' ? 'pub' : undefined, channel: a[1], data: a[2], offset: a[3] ?? undefined, epoch: a[4] ?? undefined, info: a[5] ?? undefined }
}

export function decodeClientFrame(text: unknown, limits: CodecLimits = defaultCodecLimits): DecodeResult<ClientFrame> {
  return decode<ClientFrame>(text, limits, clientFrameReaders)
}

export function decodeServerFrame(text: unknown, limits: CodecLimits = defaultCodecLimits): DecodeResult<ServerFrame> {
  return decode<ServerFrame>(text, limits, serverFrameReaders, true)
}

function fatal(code: number, message: string): { ok: false; error: DecodeError } {
  return { ok: false, error: { fatal: true, code, message } }
}

function decode<F>(
  text: unknown,
  limits: CodecLimits,
  readers: Partial<Record<ClientFrameType | ServerFrameType, (r: Reader) => unknown>>,
  compactPub = false,
): DecodeResult<F> {
  if (typeof text !== 'string') return fatal(CloseCode.BadFrame, 'frames are JSON text messages')
  if (text.length > limits.maxFrameLength) return fatal(CloseCode.MessageTooBig, `frame longer than ${limits.maxFrameLength}`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return fatal(CloseCode.BadFrame, 'frame is not valid JSON')
  }
  if (compactPub && Array.isArray(value)) value = expandCompactPub(value)
  if (!isObj(value)) return fatal(CloseCode.BadFrame, 'frame must be a JSON object')
  const shapeError = checkShape(value, limits.maxDepth)
  if (shapeError !== undefined) return fatal(CloseCode.BadFrame, shapeError)
  const type = value['type']
  const read = typeof type === 'string' && Object.prototype.hasOwnProperty.call(readers, type) ? readers[type as ClientFrameType] : undefined
  if (read === undefined) return fatal(CloseCode.BadFrame, 'unknown frame type')
  const r = new Reader(value as Obj, limits)
  const frame = read(r)
  if (r.error === undefined) return { ok: true, frame: frame as F }
  const id = value['id']
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) {
    return { ok: false, error: { fatal: false, code: ErrorCode.BadRequest, message: r.error, id } }
  }
  return fatal(CloseCode.BadFrame, r.error)
}

/**
 * Bounded walk over the parsed value: fails past `maxDepth` (without going deeper) and on
 * `__proto__` keys, which JSON.parse keeps as own properties but which turn dangerous as soon as
 * application code copies the object with Object.assign or a spread into a prototype-bearing target.
 */
function checkShape(root: unknown, maxDepth: number): string | undefined {
  const walk = new ShapeWalk(maxDepth)
  try {
    walk.visit(root, 1)
  } catch {
    // Only a custom maxDepth deeper than the call stack gets here (a RangeError): decoding never throws.
    return 'frame nested too deep to check'
  }
  return walk.error
}

/**
 * Runs on every inbound frame, so it allocates nothing per node: it recurses (at most maxDepth
 * deep, so the stack is bounded by a limit we set) and enumerates keys with `for…in` (a parsed
 * object has no inherited enumerable keys) rather than an `Object.keys` array. A `{value, depth}`
 * object per node and a keys array per object were most of the decoder's cost after JSON.parse
 * on an RPC frame (bench/analysis.md).
 */
class ShapeWalk {
  error: string | undefined
  /** Nodes left to visit: a wide frame is refused as a deep one is. */
  private budget = 1_000_000

  constructor(private readonly maxDepth: number) {}

  visit(v: unknown, depth: number): void {
    if (--this.budget < 0) {
      this.error ??= 'frame too complex'
      return
    }
    if (typeof v !== 'object' || v === null) return
    if (depth > this.maxDepth) {
      this.error ??= `frame nested deeper than ${this.maxDepth}`
      return
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && this.error === undefined; i++) this.visit(v[i], depth + 1)
      return
    }
    for (const key in v) {
      if (key === FORBIDDEN_KEY) this.error ??= 'key "__proto__" is not allowed'
      if (this.error !== undefined) return
      this.visit((v as Obj)[key], depth + 1)
    }
  }
}
