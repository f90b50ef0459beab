/**
 * Conformance: seeded hostile frames at a live server. For every text, the server must do what
 * the codec's classification says — an `error {id, code: 100}` reply when the frame has a readable
 * id, `disconnect` + close 4503 (or 1009) when it is fatal — and keep serving; the server process's
 * Object.prototype stays untouched. Set FC_SEED to explore other seeds.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { allCodes, decodeClientFrame, type Json } from '@minisocket/protocol'
import { clientFrame, mutateObject, mutateText } from '../packages/protocol/test/arbitraries.js'
import { clientGolden } from '../packages/protocol/test/fixtures.js'
import { type FrameClient, withServer, type TestServer } from './harness.js'

const seed = Number(process.env['FC_SEED'] ?? 20260702)
const COUNT = 2000

const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(...clientGolden.filter((g) => g.frame.type !== 'connect')).chain((g) => fc.oneof(mutateObject(g.frame), mutateText(g.text))),
  clientFrame.filter((f) => f.type !== 'connect').map((f) => JSON.stringify(f)),
  clientFrame.filter((f) => f.type !== 'connect').chain((f) => mutateObject(f)),
)

const prototypeSnapshot = (): string[] => [Object.prototype, Array.prototype].flatMap((p) => Reflect.ownKeys(p).map(String)).sort()

async function fresh(t: TestServer): Promise<FrameClient> {
  const { c } = await t.connected()
  return c
}

test(`${COUNT} seeded hostile frames at a live server (seed ${seed}): error or documented close, and it stays up`, async () => {
  const before = prototypeSnapshot()
  const texts = fc.sample(hostile, { seed, numRuns: COUNT })
  const rpc = { echo: (data: Json): Json => data }
  const tally = { ok: 0, errorReplies: 0, closes: 0 }
  await withServer({ rpc, limits: { messageRate: 1e6, messageBurst: 1e6 } }, async (t) => {
    let c = await fresh(t)
    for (const [i, text] of texts.entries()) {
      const expected = decodeClientFrame(text)
      const marker = `sentinel-${i}`
      c.send(text)
      // Frames are handled in order, so the sentinel's reply (or the close) bounds the answer.
      c.send({ type: 'rpc', id: 1e15 + i, method: 'echo', data: marker })
      // A close rejects the wait for the sentinel; then the close itself is the outcome.
      const alive = await c.nextOf('reply', (r) => r.data === marker).then(() => true, () => false)
      const outcome = alive ? ('alive' as const) : await c.waitClosed()
      const what = `frame #${i} ${JSON.stringify(text).slice(0, 200)} (codec: ${JSON.stringify(expected.ok ? 'ok' : expected.error)})`
      if (outcome === 'alive') {
        assert.ok(expected.ok || !expected.error.fatal, `${what}: a fatal frame did not close the connection`)
        if (!expected.ok) {
          const err = c.inbox.find((f) => f.type === 'error' && f.id === expected.error.id)
          assert.ok(err?.type === 'error' && err.code === 100, `${what}: no error 100 reply to id ${expected.error.id}`)
          tally.errorReplies += 1
        } else tally.ok += 1
        for (const f of c.inbox) if (f.type === 'error') assert.ok(f.code in allCodes().error, `${what}: undocumented error code ${f.code}`)
        c.inbox.length = 0
      } else {
        assert.ok(!expected.ok && expected.error.fatal, `${what}: closed with ${outcome.code} for a frame the codec accepts`)
        assert.equal(outcome.code, expected.error.code, `${what}: close code`)
        const bye = c.inbox.find((f) => f.type === 'disconnect')
        if (bye?.type === 'disconnect') assert.equal(bye.code, outcome.code)
        tally.closes += 1
        c = await fresh(t)
      }
    }
    // Still serving: a new connection completes the handshake and an RPC.
    const last = await fresh(t)
    assert.deepEqual((await last.call({ type: 'rpc', method: 'echo', data: 'still here' }, 'reply')).data, 'still here')
  })
  assert.deepEqual(prototypeSnapshot(), before)
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined)
  // The sample must exercise all three outcomes, or the test proves little.
  assert.ok(tally.ok > 50 && tally.errorReplies > 50 && tally.closes > 50, JSON.stringify(tally))
  console.log(`fuzz tally: ${JSON.stringify(tally)}`)
})
