/**
 * Seeded property tests: thousands of arbitrary and mutated texts never make the codec throw;
 * each gives ok or a typed error; valid frames round-trip; Object.prototype stays untouched.
 * The seed is fixed so a failure reproduces; set FC_SEED to explore other seeds.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { CloseCode, decodeClientFrame, decodeServerFrame, type DecodeResult, encodeCompactPub, encodeFrame, encodeReply, type PubFrame } from '../src/index.js'
import { clientFrameReaders, serverFrameReaders } from '../src/schema.js'
import { clientFrame, data, mutateObject, mutateText, serverFrame } from './arbitraries.js'
import { clientGolden, serverGolden } from './fixtures.js'

const seed = Number(process.env['FC_SEED'] ?? 20260701)
const runs = (numRuns: number): fc.Parameters<unknown> => ({ seed, numRuns })

const prototypeSnapshot = (): string[] => [Object.prototype, Array.prototype, Function.prototype].flatMap((p) => Reflect.ownKeys(p).map(String)).sort()
const before = prototypeSnapshot()

const directions = [
  { name: 'client frames', decode: decodeClientFrame, types: Object.keys(clientFrameReaders), golden: clientGolden, valid: clientFrame as fc.Arbitrary<object> },
  { name: 'server frames', decode: decodeServerFrame, types: Object.keys(serverFrameReaders), golden: serverGolden, valid: serverFrame as fc.Arbitrary<object> },
]

/** The codec's contract for any input: a known frame that re-encodes to itself, or a typed error. */
function assertWellFormed(result: DecodeResult<{ type: string }>, types: string[], decode: (t: string) => DecodeResult<unknown>): void {
  if (result.ok) {
    assert.ok(types.includes(result.frame.type), `decoded a frame of unknown type ${result.frame.type}`)
    // Compared as wire text: JSON has no -0, so `-0` in the input legitimately comes back as `0`.
    const text = encodeFrame(result.frame as never)
    const again = decode(text)
    assert.ok(again.ok, 'a decoded frame re-encodes to a valid frame')
    assert.equal(encodeFrame(again.frame as never), text, 'a decoded frame re-encodes to itself')
    return
  }
  const { fatal, code, message, id } = result.error
  assert.equal(typeof message, 'string')
  assert.ok(message.length > 0)
  if (fatal) {
    assert.ok(code === CloseCode.BadFrame || code === CloseCode.MessageTooBig, `fatal code ${code}`)
    assert.equal(id, undefined)
  } else {
    assert.equal(code, 100)
    assert.ok(Number.isSafeInteger(id) && (id as number) > 0, `error id ${id}`)
  }
}

function assertPrototypesUntouched(): void {
  assert.deepEqual(prototypeSnapshot(), before)
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined)
}

for (const dir of directions) {
  const check = (text: unknown): void => {
    let result: DecodeResult<{ type: string }> | undefined
    assert.doesNotThrow(() => {
      result = dir.decode(text) as DecodeResult<{ type: string }>
    })
    assertWellFormed(result as DecodeResult<{ type: string }>, dir.types, dir.decode)
    assertPrototypesUntouched()
  }

  describe(`codec properties, ${dir.name} (seed ${seed})`, () => {
    test('arbitrary strings: never throws, ok or a typed error', () => {
      fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 })), check), runs(3000))
    })

    test('arbitrary JSON values and arbitrary JS values: never throws, ok or a typed error', () => {
      fc.assert(fc.property(fc.jsonValue(), (v) => check(JSON.stringify(v))), runs(2000))
      fc.assert(fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (v) => check(v)), runs(1000))
    })

    test('objects with a frame type and random fields: never throws, ok or a typed error', () => {
      const framed = fc.record({ type: fc.constantFrom(...dir.types, 'nope', 'toString'), id: fc.oneof(fc.integer(), fc.jsonValue()) }).chain((head) =>
        fc.dictionary(fc.constantFrom('channel', 'data', 'since', 'versions', 'method', 'members', 'member', 'publications', 'state', 'code', 'offset', 'epoch', 'mid', 'limit', 'x'), fc.jsonValue({ maxDepth: 3 })).map((rest) => JSON.stringify({ ...rest, ...head })),
      )
      fc.assert(fc.property(framed, check), runs(3000))
    })

    test('mutated golden frames (structural and character-level): never throws, ok or a typed error', () => {
      const mutated = fc.constantFrom(...dir.golden).chain((g) => fc.oneof(mutateObject(g.frame), mutateText(g.text), mutateText(g.text).chain(mutateText)))
      fc.assert(fc.property(mutated, check), runs(4000))
    })

    test('-0 anywhere is accepted where 0 is, and re-encodes as 0', () => {
      check('{"type":"publish","id":1,"channel":"a","data":[-0,{"n":-0}]}')
      check('{"type":"subscribed","id":1,"channel":"a","offset":-0}')
    })

    test('valid frames round-trip: decode(encode(frame)) is the frame', () => {
      fc.assert(
        fc.property(dir.valid, (frame) => {
          const result = dir.decode(encodeFrame(frame as never))
          assert.deepEqual(result, { ok: true, frame: JSON.parse(JSON.stringify(frame)) })
          assertPrototypesUntouched()
        }),
        runs(3000),
      )
    })
  })
}

describe(`codec properties, v2 compact pub (seed ${seed})`, () => {
  const pubFrame = serverFrame.filter((f): f is PubFrame => f.type === 'pub')
  const check = (text: string): void => {
    let result: DecodeResult<{ type: string }> | undefined
    assert.doesNotThrow(() => {
      result = decodeServerFrame(text) as DecodeResult<{ type: string }>
    })
    assertWellFormed(result as DecodeResult<{ type: string }>, Object.keys(serverFrameReaders), decodeServerFrame)
    assertPrototypesUntouched()
  }

  test('encodeCompactPub round-trips through the strict decoder, with the epoch or without it', () => {
    fc.assert(
      fc.property(pubFrame, fc.boolean(), (frame, withEpoch) => {
        const expected = JSON.parse(JSON.stringify(frame)) as PubFrame
        if (!withEpoch) delete expected.epoch
        assert.deepEqual(decodeServerFrame(encodeCompactPub(frame, withEpoch)), { ok: true, frame: expected })
        assertPrototypesUntouched()
      }),
      runs(3000),
    )
  })

  test('hostile arrays: never throws, ok or a typed error', () => {
    const head = fc.constantFrom('p', 'x', 0, null)
    const arrays = fc.tuple(head, fc.array(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant('__proto__')), { maxLength: 8 })).map(([h, rest]) => JSON.stringify([h, ...rest]))
    fc.assert(fc.property(arrays, check), runs(3000))
    const mutated = pubFrame.chain((f) => mutateText(encodeCompactPub(f, true)))
    fc.assert(fc.property(mutated, check), runs(2000))
  })
})

describe(`codec properties, encodeReply (seed ${seed})`, () => {
  test('writes the text encodeFrame writes for the same reply, which the strict decoder reads back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), data, (id, value) => {
        const text = encodeReply(id, value)
        assert.equal(text, encodeFrame({ type: 'reply', id, data: value }))
        assert.deepEqual(decodeServerFrame(text), { ok: true, frame: { type: 'reply', id, data: JSON.parse(JSON.stringify(value)) } })
      }),
      runs(3000),
    )
  })

  test('data JSON has no text for is sent as null; data that cannot be serialized throws', () => {
    assert.equal(encodeReply(7, undefined), '{"type":"reply","id":7,"data":null}')
    assert.equal(encodeReply(7, () => 1), '{"type":"reply","id":7,"data":null}')
    const cycle: { self?: unknown } = {}
    cycle.self = cycle
    assert.throws(() => encodeReply(7, cycle), TypeError)
    assert.throws(() => encodeReply(7, 10n), TypeError)
  })
})
