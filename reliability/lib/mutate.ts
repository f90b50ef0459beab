/**
 * The mutation half of the seeded fuzzer: a corpus of valid protocol frames and mutations at
 * three levels — JSON (fields dropped, retyped, enlarged, __proto__ keys, deep nesting), text
 * (truncation, byte flips, insertions) and WebSocket frame (opcode, RSV bits, fragmentation,
 * missing mask, invalid UTF-8). Deterministic for a given RNG.
 */
import type { FrameSpec } from '@minisocket/testkit'

export type Rng = () => number

export const corpus: ReadonlyArray<Record<string, unknown>> = [
  { type: 'subscribe', id: 2, channel: 'feed:fuzz' },
  { type: 'subscribe', id: 3, channel: 'room:fuzz', since: { epoch: 'abc', offset: 3 } },
  { type: 'unsubscribe', id: 4, channel: 'feed:fuzz' },
  { type: 'publish', id: 5, channel: 'feed:fuzz', data: { text: 'hello', n: 1 }, mid: 'm1' },
  { type: 'publish', id: 6, channel: 'live:fuzz', data: [1, 2, 3] },
  { type: 'history', id: 7, channel: 'feed:fuzz', since: { epoch: 'e', offset: 0 }, limit: 10 },
  { type: 'presence', id: 8, channel: 'room:fuzz' },
  { type: 'rpc', id: 9, method: 'echo', data: { a: 1 } },
  { type: 'state', id: 10, state: 'away' },
  { type: 'ping' },
  { type: 'pong' },
  { type: 'connect', id: 11, versions: [1], token: 'x', session: 'y', info: { name: 'n' } },
]

const pickOne = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T

const oddValues: readonly unknown[] = [
  null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, '', 'x'.repeat(300), '\u0000', '\ud800', '😀', [], {}, [[[[[]]]]],
  { __proto__: { polluted: true } }, 'constructor', 'feed:*', '../../etc/passwd', '%00', { epoch: {}, offset: 'NaN' },
]

function deep(depth: number): unknown {
  let v: unknown = 1
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v }
  return v
}

/** A JSON-level mutation of a valid frame, serialized (some mutations only exist as text). */
export function mutateJson(rng: Rng, frame: Record<string, unknown>): string {
  const copy: Record<string, unknown> = { ...frame }
  const keys = Object.keys(copy)
  switch (Math.floor(rng() * 9)) {
    case 0:
      delete copy[pickOne(rng, keys)]
      break
    case 1:
      copy[pickOne(rng, keys)] = pickOne(rng, oddValues)
      break
    case 2:
      copy[pickOne(rng, ['type', 'id', 'channel', 'data', 'since', 'extra', 'method', 'versions'])] = pickOne(rng, oddValues)
      break
    case 3:
      copy['data'] = deep(1 + Math.floor(rng() * 80))
      break
    case 4:
      // A literal __proto__ key survives only in the text (JSON.stringify drops the accessor).
      return JSON.stringify(copy).replace(/^\{/, `{"__proto__":{"polluted":"yes"},`)
    case 5:
      return JSON.stringify(copy).replace(/"id":\d+/, `"id":${pickOne(rng, ['1e400', '-0', '1.0000000000000002', '"1"', '[1]', '9007199254740993'])}`)
    case 6:
      copy['type'] = pickOne(rng, ['connect', 'subscribe', 'publish', 'pub', 'disconnect', 'error', 'SUBSCRIBE', '', 'toString', '__proto__'])
      break
    case 7:
      copy['channel'] = pickOne(rng, ['', 'a'.repeat(256), 'feed:\u0000', 'feed: x', 'user:bob', 'room:' + 'é'.repeat(10), 'feed:fuzz'])
      break
    default:
      return `${JSON.stringify(copy)}${pickOne(rng, ['', ' ', '}', ',', '\n{"type":"ping"}'])}`
  }
  return JSON.stringify(copy)
}

/** A text-level mutation: truncate, flip bytes, insert garbage. */
export function mutateText(rng: Rng, text: string): string {
  const chars = [...text]
  const n = 1 + Math.floor(rng() * 4)
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rng() * (chars.length + 1))
    switch (Math.floor(rng() * 3)) {
      case 0:
        chars.splice(at, chars.length)
        break
      case 1:
        chars[at] = String.fromCharCode(Math.floor(rng() * 0x3000))
        break
      default:
        chars.splice(at, 0, pickOne(rng, ['{', '}', '"', '\\', ':', ',', '[', ']', 'null', '\\u0000', '\\ud800']))
    }
  }
  return chars.join('')
}

/** Frames for one input: usually one masked text frame; sometimes a frame-level mutation. */
export function toFrames(rng: Rng, text: string): Array<{ spec: FrameSpec; masked: boolean }> {
  const r = rng()
  if (r < 0.85) return [{ spec: { opcode: 'text', payload: text }, masked: true }]
  if (r < 0.88) {
    // Fragmented at random points (valid).
    const bytes = Buffer.from(text)
    const cut = Math.floor(rng() * bytes.length)
    return [
      { spec: { opcode: 'text', payload: bytes.subarray(0, cut), fin: false }, masked: true },
      { spec: { opcode: 'continuation', payload: bytes.subarray(cut) }, masked: true },
    ]
  }
  if (r < 0.9) return [{ spec: { opcode: 'text', payload: Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe])]) }, masked: true }]
  if (r < 0.92) return [{ spec: { opcode: 'text', payload: text }, masked: false }]
  if (r < 0.94) return [{ spec: { opcode: 'text', payload: text, rsv: 1 + Math.floor(rng() * 7) }, masked: true }]
  if (r < 0.96) return [{ spec: { opcode: pickOne(rng, [0, 2, 3, 7, 0xb, 0xf]), payload: text.slice(0, 100) }, masked: true }]
  if (r < 0.98) return [{ spec: { opcode: 'ping', payload: text.slice(0, 125) }, masked: true }]
  return [{ spec: { opcode: 'close', payload: Buffer.from(text.slice(0, 20)) }, masked: true }]
}
