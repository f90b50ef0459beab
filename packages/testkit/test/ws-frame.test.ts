import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { FrameParseError, FrameParser, Opcode, closePayload, encodeFrame } from '../src/ws-frame.js'
import { seededRandom } from '../src/seeded-rng.js'

test('encodeFrame matches the RFC 6455 example bytes (unmasked "Hello")', () => {
  // RFC 6455 §5.7: 0x81 0x05 0x48 0x65 0x6c 0x6c 0x6f
  assert.deepEqual(encodeFrame({ opcode: 'text', payload: 'Hello' }, null), Buffer.from('810548656c6c6f', 'hex'))
  // RFC 6455 §5.7 masked: 0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58
  assert.deepEqual(
    encodeFrame({ opcode: 'text', payload: 'Hello' }, Buffer.from('37fa213d', 'hex')),
    Buffer.from('818537fa213d7f9f4d5158', 'hex'),
  )
})

test('the doc example: a frame split across pushes comes out once complete', () => {
  const parser = new FrameParser()
  const bytes = encodeFrame({ opcode: 'text', payload: 'hello' }, null)
  assert.deepEqual(parser.push(bytes.subarray(0, 3)), [])
  const [frame] = parser.push(bytes.subarray(3))
  assert.equal(frame?.opcode, Opcode.text)
  assert.equal(frame?.payload.toString(), 'hello')
  assert.deepEqual(frame?.raw, bytes)
})

test('lengths at the 7-bit, 16-bit and 64-bit boundaries round-trip, byte by byte too', () => {
  for (const len of [0, 125, 126, 65535, 65536]) {
    const payload = Buffer.alloc(len, 7)
    const wire = encodeFrame({ opcode: 'binary', payload }, Buffer.from([1, 2, 3, 4]))
    const parser = new FrameParser()
    const frames = len < 300 ? [...wire].flatMap((b) => parser.push(Buffer.from([b]))) : parser.push(wire)
    assert.equal(frames.length, 1, `len ${len}`)
    assert.equal(frames[0]!.masked, true)
    assert.deepEqual(frames[0]!.payload, payload)
    assert.equal(parser.buffered, 0)
  }
})

test('fin=false, rsv bits and control opcodes are kept', () => {
  const parser = new FrameParser()
  const frames = parser.push(Buffer.concat([
    encodeFrame({ opcode: 'text', payload: 'a', fin: false, rsv: 4 }, null),
    encodeFrame({ opcode: 'ping', payload: 'p' }, null),
    encodeFrame({ opcode: 'continuation', payload: 'b' }, null),
  ]))
  assert.deepEqual(frames.map((f) => [f.opcode, f.fin, f.rsv]), [[1, false, 4], [9, true, 0], [0, true, 0]])
})

test('a 64-bit length above maxFrameBytes (or with the top bit set) is a FrameParseError', () => {
  const header = Buffer.from('827f', 'hex')
  const huge = Buffer.alloc(8)
  huge.writeBigUInt64BE(1n << 63n)
  assert.throws(() => new FrameParser().push(Buffer.concat([header, huge])), FrameParseError)
  const big = Buffer.alloc(8)
  big.writeBigUInt64BE(2000n)
  assert.throws(() => new FrameParser(1000).push(Buffer.concat([header, big])), /exceeds 1000 bytes/)
})

test('closePayload: code then reason, reason cut to keep the control frame ≤ 125 bytes', () => {
  const p = closePayload(3001, 'bye')
  assert.equal(p.readUInt16BE(0), 3001)
  assert.equal(p.subarray(2).toString(), 'bye')
  assert.equal(closePayload(1000, 'x'.repeat(500)).length, 125)
})

test('encodeFrame rejects a mask that is not 4 bytes', () => {
  assert.throws(() => encodeFrame({ opcode: 'text', payload: 'x' }, new Uint8Array(3)), /mask must be 4 bytes/)
})

test('property: any sequence of frames, cut into any chunks, parses back to the same frames', () => {
  const frameArb = fc.record({
    opcode: fc.constantFrom(0, 1, 2, 8, 9, 10),
    payload: fc.uint8Array({ maxLength: 300 }),
    fin: fc.boolean(),
    mask: fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 }), { nil: null }),
  })
  fc.assert(fc.property(fc.array(frameArb, { maxLength: 8 }), fc.array(fc.nat(400), { maxLength: 10 }), (specs, cuts) => {
    const wire = Buffer.concat(specs.map((s) => encodeFrame(s, s.mask)))
    const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b)
    const parser = new FrameParser()
    const out = []
    let at = 0
    for (const p of [...points, wire.length]) {
      out.push(...parser.push(wire.subarray(at, p)))
      at = p
    }
    assert.equal(out.length, specs.length)
    out.forEach((f, i) => {
      assert.deepEqual(new Uint8Array(f.payload), specs[i]!.payload)
      assert.equal(f.opcode, specs[i]!.opcode)
      assert.equal(f.fin, specs[i]!.fin)
      assert.equal(f.masked, specs[i]!.mask !== null)
    })
  }), { seed: 1234, numRuns: 300 })
})

test('seededRandom: same seed, same sequence; different seed, different sequence; values in [0,1)', () => {
  const a = seededRandom(42)
  const b = seededRandom(42)
  const c = seededRandom(43)
  const xs = Array.from({ length: 100 }, () => a())
  assert.deepEqual(xs, Array.from({ length: 100 }, () => b()))
  assert.notDeepEqual(xs, Array.from({ length: 100 }, () => c()))
  assert.ok(xs.every((x) => x >= 0 && x < 1))
})
