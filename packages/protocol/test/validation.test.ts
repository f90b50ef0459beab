import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type CodecLimits, decodeClientFrame, decodeServerFrame, defaultCodecLimits } from '../src/index.js'
import { assertBadRequest, assertFatal, frameOk } from './assert-decode.js'

const L = defaultCodecLimits

const pub = (fields: Record<string, unknown>): string => JSON.stringify({ type: 'publish', id: 7, channel: 'room', data: 1, ...fields })

/** `data` nested `levels` arrays deep: the frame object is depth 1, so the innermost array is at depth levels + 1. */
function nested(levels: number): string {
  return `{"type":"publish","id":7,"channel":"room","data":${'['.repeat(levels)}${']'.repeat(levels)}}`
}

describe('the text itself', () => {
  test('non-string input (binary messages, numbers, null) closes with 4503', () => {
    for (const input of [new Uint8Array([123, 125]), new ArrayBuffer(2), 42, null, undefined, { type: 'ping' }]) {
      assertFatal(decodeClientFrame(input), 4503, /JSON text/)
    }
  })

  test('text longer than maxFrameLength closes with 1009; exactly the limit is fine', () => {
    const limits: CodecLimits = { ...L, maxFrameLength: 100 }
    const base = '{"type":"ping","pad":""}'
    const exact = base.replace('""', `"${'x'.repeat(100 - base.length)}"`)
    assert.equal(exact.length, 100)
    assert.deepEqual(decodeClientFrame(exact, limits), { ok: true, frame: { type: 'ping' } })
    assertFatal(decodeClientFrame(exact.replace('"x', '"xx'), limits), 1009, /longer than 100/)
    // The default is 64 KiB.
    assertFatal(decodeClientFrame(`{"type":"ping","pad":"${'x'.repeat(64 * 1024)}"}`), 1009)
  })

  test('text that is not JSON, or JSON that is not an object, closes with 4503', () => {
    for (const text of ['', 'ping', '{"type":"ping"', '{type:"ping"}', "{'type':'ping'}", '{"type":"ping"} x']) {
      assertFatal(decodeClientFrame(text), 4503, /not valid JSON/)
    }
    for (const text of ['null', '42', '"ping"', 'true', '[]', '[{"type":"ping"}]']) {
      assertFatal(decodeClientFrame(text), 4503, /must be a JSON object/)
    }
  })
})

describe('depth', () => {
  test(`data may nest up to maxDepth (${L.maxDepth}) counting the frame; one more closes with 4503`, () => {
    assert.equal(frameOk(decodeClientFrame(nested(L.maxDepth - 1))).type, 'publish')
    assertFatal(decodeClientFrame(nested(L.maxDepth)), 4503, new RegExp(`deeper than ${L.maxDepth}`))
  })

  test('depth is fatal even with a readable id, and custom limits apply', () => {
    const limits: CodecLimits = { ...L, maxDepth: 3 }
    assert.deepEqual(frameOk(decodeClientFrame(pub({ data: { a: [1] } }), limits)), { type: 'publish', id: 7, channel: 'room', data: { a: [1] } })
    assertFatal(decodeClientFrame(pub({ data: { a: [[1]] } }), limits), 4503, /deeper than 3/)
  })

  test('a very deep text does not overflow the stack', () => {
    assertFatal(decodeClientFrame(nested(30_000)), 4503)
    assertFatal(decodeClientFrame(`{"type":"ping","x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`), 4503)
    // Even when a custom limit allows more depth than the walk's call stack holds.
    assertFatal(decodeClientFrame(nested(200_000), { ...L, maxDepth: 1e9, maxFrameLength: 1e9 }), 4503)
  })

  test('a frame of more than a million values closes with 4503 (a wide frame is refused like a deep one)', () => {
    const limits: CodecLimits = { ...L, maxFrameLength: 1e9 }
    const values = (n: number): string => `{"type":"publish","id":7,"channel":"room","data":[${'0,'.repeat(n - 1)}0]}`
    assert.equal(frameOk(decodeClientFrame(values(999_990), limits)).type, 'publish')
    assertFatal(decodeClientFrame(values(1_000_001), limits), 4503, /too complex/)
  })
})

describe('__proto__ keys', () => {
  test('a __proto__ key anywhere closes with 4503, even with a readable id', () => {
    for (const text of [
      '{"__proto__":{"polluted":1},"type":"ping"}',
      '{"type":"publish","id":7,"channel":"room","data":{"__proto__":{"polluted":1}}}',
      '{"type":"publish","id":7,"channel":"room","data":[1,[{"x":{"__proto__":null}}]]}',
      '{"type":"subscribe","id":7,"channel":"room","since":{"epoch":"e","offset":1,"__proto__":{}}}',
    ]) {
      assertFatal(decodeClientFrame(text), 4503, /__proto__/)
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined)
  })

  test('other keys named after Object.prototype members are plain data and pollute nothing', () => {
    const data = { constructor: { prototype: { polluted: 1 } }, toString: 'x', hasOwnProperty: 1, prototype: 2 }
    const frame = frameOk(decodeClientFrame(pub({ data })))
    assert.deepEqual(frame, { type: 'publish', id: 7, channel: 'room', data })
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined)
    assert.equal(typeof ({}).toString, 'function')
  })
})

describe('the allowlist of frame types', () => {
  test('a missing, non-string or unknown type closes with 4503, even with a readable id', () => {
    for (const type of [undefined, null, 1, ['ping'], { ping: 1 }, '', 'PING', 'connected', 'pub', 'join', 'message', 'toString', 'constructor', 'hasOwnProperty', '__proto__']) {
      const text = JSON.stringify({ type, id: 3, channel: 'room' })
      assertFatal(decodeClientFrame(text), 4503, /unknown frame type/)
    }
    for (const type of ['connect', 'subscribe', 'publish', 'rpc', 'toString', 'valueOf']) {
      assertFatal(decodeServerFrame(JSON.stringify({ type, id: 3 })), 4503, /unknown frame type/)
    }
  })
})

describe('request ids and error vs fatal classification', () => {
  test('a bad field with a readable positive id is an error reply (100) to that id', () => {
    assertBadRequest(decodeClientFrame('{"type":"subscribe","id":12,"channel":""}'), 12, /channel/)
    assertBadRequest(decodeClientFrame('{"type":"publish","id":13,"channel":"room"}'), 13, /data is required/)
    assertBadRequest(decodeClientFrame(`{"type":"rpc","id":${Number.MAX_SAFE_INTEGER},"method":7}`), Number.MAX_SAFE_INTEGER, /method/)
  })

  test('a bad field without a readable id is fatal (4503)', () => {
    for (const id of [undefined, null, 0, -1, 1.5, '12', Number.MAX_SAFE_INTEGER + 1, 1e300, [12], { id: 12 }]) {
      const text = JSON.stringify({ type: 'subscribe', id, channel: 'room' })
      assertFatal(decodeClientFrame(text), 4503)
    }
  })

  test('the id must be a positive safe integer even when every other field is fine', () => {
    assertFatal(decodeClientFrame('{"type":"state","id":0,"state":"away"}'), 4503, /id must be a safe integer >= 1/)
    assertFatal(decodeClientFrame('{"type":"state","id":9007199254740992,"state":"away"}'), 4503, /id/)
    assert.deepEqual(frameOk(decodeClientFrame('{"type":"state","id":9007199254740991,"state":"away"}')), { type: 'state', id: Number.MAX_SAFE_INTEGER, state: 'away' })
  })

  test('only the first problem is reported', () => {
    const result = decodeClientFrame('{"type":"history","id":4,"channel":"","limit":0}')
    assertBadRequest(result, 4, /^channel/)
  })
})
