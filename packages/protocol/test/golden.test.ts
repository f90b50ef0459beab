import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decodeClientFrame, decodeServerFrame, encodeFrame } from '../src/index.js'
import { clientFrameReaders, serverFrameReaders } from '../src/schema.js'
import { clientGolden, serverGolden } from './fixtures.js'

const directions = [
  { name: 'client → server', golden: clientGolden, decode: decodeClientFrame, types: Object.keys(clientFrameReaders) },
  { name: 'server → client', golden: serverGolden, decode: decodeServerFrame, types: Object.keys(serverFrameReaders) },
] as const

for (const dir of directions) {
  describe(`golden frames, ${dir.name}`, () => {
    test('the fixtures cover every frame type of the allowlist, and nothing else', () => {
      const covered = new Set(dir.golden.map((g) => g.frame.type))
      assert.deepEqual([...covered].sort(), [...dir.types].sort())
    })

    for (const g of dir.golden) {
      test(`${g.name}: the wire text decodes to the object`, () => {
        const result = dir.decode(g.text)
        assert.deepEqual(result, { ok: true, frame: g.frame })
      })

      test(`${g.name}: the object encodes to the wire text and decodes back`, () => {
        const text = encodeFrame(g.frame)
        assert.equal(text, g.text)
        assert.deepEqual(dir.decode(text), { ok: true, frame: g.frame })
      })
    }
  })
}

test('client frames are not accepted as server frames where the type is client-only, and vice versa', () => {
  const clientOnly = clientGolden.filter((g) => !(g.frame.type in serverFrameReaders))
  const serverOnly = serverGolden.filter((g) => !(g.frame.type in clientFrameReaders))
  assert.ok(clientOnly.length > 0 && serverOnly.length > 0)
  for (const g of clientOnly) assert.deepEqual(decodeServerFrame(g.text), { ok: false, error: { fatal: true, code: 4503, message: 'unknown frame type' } }, g.name)
  for (const g of serverOnly) assert.deepEqual(decodeClientFrame(g.text), { ok: false, error: { fatal: true, code: 4503, message: 'unknown frame type' } }, g.name)
})
