/**
 * The recovery case table (G2), through a live server: subscribe with `since` must give the
 * exact `recovered` value and publication count. Plus recoveryOutcome() on its own.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { recoveryOutcome } from '../src/index.js'
import { startServer, TestClient, wsUrl } from './helpers.js'

const SIZE = 5
const TTL = 60_000

interface Case {
  name: string
  /** Publications made before the subscribe. */
  published: number
  since: (epoch: string) => { epoch: string; offset: number }
  /** Moves the clock before the subscribe (expiry). */
  advance?: number
  recovered: boolean
  offsets: number[]
}

const cases: Case[] = [
  { name: 'valid position', published: 3, since: (e) => ({ epoch: e, offset: 1 }), recovered: true, offsets: [2, 3] },
  { name: 'same position', published: 3, since: (e) => ({ epoch: e, offset: 3 }), recovered: true, offsets: [] },
  { name: 'from offset 0 inside the limit', published: SIZE, since: (e) => ({ epoch: e, offset: 0 }), recovered: true, offsets: [1, 2, 3, 4, 5] },
  { name: 'oldest retained boundary (since = first retained - 1)', published: 8, since: (e) => ({ epoch: e, offset: 3 }), recovered: true, offsets: [4, 5, 6, 7, 8] },
  { name: 'future offset', published: 3, since: (e) => ({ epoch: e, offset: 4 }), recovered: false, offsets: [] },
  { name: 'too far behind the history limit', published: 8, since: (e) => ({ epoch: e, offset: 0 }), recovered: false, offsets: [] },
  { name: 'position already trimmed', published: 8, since: (e) => ({ epoch: e, offset: 2 }), recovered: false, offsets: [] },
  { name: 'expired stream (new epoch)', published: 3, since: (e) => ({ epoch: e, offset: 3 }), advance: TTL, recovered: false, offsets: [] },
  { name: 'epoch mismatch', published: 3, since: () => ({ epoch: 'not-the-epoch', offset: 1 }), recovered: false, offsets: [] },
]

describe('recovery case table over a live server', () => {
  for (const [i, c] of cases.entries()) {
    test(c.name, async () => {
      const clock = new FakeClock()
      const server = await startServer({ clock, namespaces: [{ match: /^/, historySize: SIZE, historyTtlMs: TTL }] })
      const channel = `case-${i}`
      try {
        let epoch = ''
        for (let n = 0; n < c.published; n++) epoch = (await server.publish(channel, { n: n + 1 })).epoch ?? ''
        if (c.advance !== undefined) clock.advance(c.advance)
        const { client } = await TestClient.connect(wsUrl(server))
        const sub = await client.request({ type: 'subscribe', channel, since: c.since(epoch) }, 'subscribed')
        assert.equal(sub.recovered, c.recovered)
        assert.deepEqual(sub.publications?.map((p) => p.offset), c.offsets)
        assert.deepEqual(sub.publications?.map((p) => (p.data as { n: number }).n), c.offsets, 'data travels with its offset')
        if (c.advance !== undefined) {
          assert.notEqual(sub.epoch, epoch)
          assert.equal(sub.offset, 0)
        } else {
          assert.equal(sub.epoch, epoch)
          assert.equal(sub.offset, c.published)
        }
        client.close()
      } finally {
        await server.close({ drainMs: 500 })
      }
    })
  }

  test('a channel without history: since gives recovered false and no epoch/offset', async () => {
    const server = await startServer({ namespaces: [{ match: /^/, historySize: 0 }] })
    try {
      const { client } = await TestClient.connect(wsUrl(server))
      const sub = await client.request({ type: 'subscribe', channel: 'live', since: { epoch: 'x', offset: 1 } }, 'subscribed')
      assert.deepEqual(sub, { type: 'subscribed', id: sub.id, channel: 'live', recovered: false, publications: [] })
      const plain = await client.request({ type: 'subscribe', channel: 'live2' }, 'subscribed')
      assert.equal(plain.epoch, undefined)
      assert.equal(plain.recovered, undefined)
      client.close()
    } finally {
      await server.close({ drainMs: 500 })
    }
  })
})

describe('recoveryOutcome()', () => {
  const read = { epoch: 'e', offset: 5, firstOffset: 3, publications: [3, 4, 5].map((offset) => ({ data: offset, offset })) }
  test('a limited read that returned fewer than the gap is not a recovery', () => {
    assert.deepEqual(recoveryOutcome({ epoch: 'e', offset: 2 }, { ...read, publications: read.publications.slice(0, 2) }), { recovered: false, publications: [] })
  })
  test('complete gap → recovered with exactly the missed publications', () => {
    assert.deepEqual(recoveryOutcome({ epoch: 'e', offset: 3 }, read).publications.map((p) => p.offset), [4, 5])
  })
})
