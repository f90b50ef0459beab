/**
 * Conformance: the recovery case table of docs/protocol.md (G2). Each case asserts the exact
 * `recovered` value and the number (and offsets) of the publications returned.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Json } from '@minisocket/protocol'
import type { NamespaceRule } from '@minisocket/server'
import { FakeClock } from '@minisocket/testkit'
import { type FrameClient, withServer, type TestServer } from './harness.js'

const SIZE = 5
const TTL = 60_000
const feed: NamespaceRule = { match: 'feed:*', historySize: SIZE, historyTtlMs: TTL, publish: 'all' }
const namespaces = [feed]

/** Publishes `n` messages from the application side; returns the stream's epoch. */
async function publishN(t: TestServer, channel: string, n: number): Promise<string> {
  let epoch = ''
  for (let i = 1; i <= n; i++) {
    const r = await t.server.publish(channel, { n: i } as Json)
    assert.equal(r.duplicate, false)
    epoch = r.epoch ?? assert.fail('a channel with history gives an epoch')
  }
  return epoch
}

async function resubscribe(c: FrameClient, channel: string, since: { epoch: string; offset: number }) {
  return c.call({ type: 'subscribe', channel, since }, 'subscribed')
}

const offsets = (pubs: Array<{ offset?: number }> | undefined): Array<number | undefined> => (pubs ?? []).map((p) => p.offset)

describe('recovery case table', () => {
  test('plain subscribe: the current position, no recovered field', async () => {
    await withServer({ namespaces }, async (t) => {
      const epoch = await publishN(t, 'feed:plain', 3)
      const { c } = await t.connected()
      const sub = await c.call({ type: 'subscribe', channel: 'feed:plain' }, 'subscribed')
      assert.deepEqual([sub.epoch, sub.offset, sub.recovered, sub.publications], [epoch, 3, undefined, undefined])
    })
  })

  test('valid position → recovered true, exactly the publications after it, oldest first', async () => {
    await withServer({ namespaces }, async (t) => {
      const epoch = await publishN(t, 'feed:valid', 4)
      const { c } = await t.connected()
      const sub = await resubscribe(c, 'feed:valid', { epoch, offset: 2 })
      assert.equal(sub.recovered, true)
      assert.deepEqual(offsets(sub.publications), [3, 4])
      assert.deepEqual(sub.publications?.map((p) => p.data), [{ n: 3 }, { n: 4 }])
      assert.deepEqual([sub.epoch, sub.offset], [epoch, 4])
      // Live delivery continues right after the recovered range: no gap, no duplicate.
      await t.server.publish('feed:valid', { n: 5 })
      const live = await c.nextOf('pub')
      assert.deepEqual([live.epoch, live.offset, live.data], [epoch, 5, { n: 5 }])
    })
  })

  test('the oldest retained position (exactly history size behind) → recovered true, all of them', async () => {
    await withServer({ namespaces }, async (t) => {
      const epoch = await publishN(t, 'feed:edge', 12)
      const { c } = await t.connected()
      const sub = await resubscribe(c, 'feed:edge', { epoch, offset: 12 - SIZE })
      assert.equal(sub.recovered, true)
      assert.deepEqual(offsets(sub.publications), [8, 9, 10, 11, 12])
    })
  })

  test('same position → recovered true, 0 publications', async () => {
    await withServer({ namespaces }, async (t) => {
      const epoch = await publishN(t, 'feed:same', 4)
      const { c } = await t.connected()
      const sub = await resubscribe(c, 'feed:same', { epoch, offset: 4 })
      assert.equal(sub.recovered, true)
      assert.equal(sub.publications?.length ?? 0, 0)
    })
  })

  test('same position on a stream that never had a publication (offset 0) → recovered true, 0', async () => {
    await withServer({ namespaces }, async (t) => {
      const { c } = await t.connected()
      const first = await c.call({ type: 'subscribe', channel: 'feed:empty' }, 'subscribed')
      assert.equal(first.offset, 0)
      await c.call({ type: 'unsubscribe', channel: 'feed:empty' }, 'unsubscribed')
      const sub = await resubscribe(c, 'feed:empty', { epoch: first.epoch ?? '', offset: 0 })
      assert.equal(sub.recovered, true)
      assert.equal(sub.publications?.length ?? 0, 0)
    })
  })

  test('future offset → recovered false, 0 publications', async () => {
    await withServer({ namespaces }, async (t) => {
      const epoch = await publishN(t, 'feed:future', 4)
      const { c } = await t.connected()
      const sub = await resubscribe(c, 'feed:future', { epoch, offset: 9 })
      assert.equal(sub.recovered, false)
      assert.deepEqual(sub.publications, [])
      assert.deepEqual([sub.epoch, sub.offset], [epoch, 4])
    })
  })

  test('too far behind the history limit → recovered false, 0 publications', async () => {
    await withServer({ namespaces }, async (t) => {
      const epoch = await publishN(t, 'feed:behind', 12)
      const { c } = await t.connected()
      const sub = await resubscribe(c, 'feed:behind', { epoch, offset: 1 })
      assert.equal(sub.recovered, false)
      assert.deepEqual(sub.publications, [])
    })
  })

  test('a position already trimmed (one past the retained window) → recovered false, 0 publications', async () => {
    await withServer({ namespaces }, async (t) => {
      const epoch = await publishN(t, 'feed:trimmed', 12)
      const { c } = await t.connected()
      // Offsets 8..12 are retained; from 6, offset 7 is gone.
      const sub = await resubscribe(c, 'feed:trimmed', { epoch, offset: 12 - SIZE - 1 })
      assert.equal(sub.recovered, false)
      assert.deepEqual(sub.publications, [])
    })
  })

  test('expired stream (new epoch after the TTL) → recovered false, 0 publications', async () => {
    const clock = new FakeClock(Date.now())
    await withServer({ namespaces, clock }, async (t) => {
      const epoch = await publishN(t, 'feed:expired', 3)
      clock.advance(TTL + 1)
      const { c } = await t.connected()
      const sub = await resubscribe(c, 'feed:expired', { epoch, offset: 3 })
      assert.equal(sub.recovered, false)
      assert.deepEqual(sub.publications, [])
      assert.notEqual(sub.epoch, epoch, 'an expired stream restarts with a new epoch')
      assert.equal(sub.offset, 0)
    })
  })

  test('epoch mismatch → recovered false, 0 publications', async () => {
    await withServer({ namespaces }, async (t) => {
      const epoch = await publishN(t, 'feed:epoch', 4)
      const { c } = await t.connected()
      const sub = await resubscribe(c, 'feed:epoch', { epoch: `${epoch}x`, offset: 2 })
      assert.equal(sub.recovered, false)
      assert.deepEqual(sub.publications, [])
      assert.equal(sub.epoch, epoch)
    })
  })

  test('a client that misses publications while away recovers them on resubscribe', async () => {
    await withServer({ namespaces }, async (t) => {
      const { c } = await t.connected()
      const sub = await c.call({ type: 'subscribe', channel: 'feed:away' }, 'subscribed')
      await publishN(t, 'feed:away', 2)
      const seen = [await c.nextOf('pub'), await c.nextOf('pub')]
      assert.deepEqual(offsets(seen), [1, 2])
      c.drop()
      await publishN(t, 'feed:away', 3)
      const again = await t.connected()
      const rec = await resubscribe(again.c, 'feed:away', { epoch: sub.epoch ?? '', offset: 2 })
      assert.equal(rec.recovered, true)
      assert.deepEqual(offsets(rec.publications), [3, 4, 5])
    })
  })

  test('history query with since follows the same rules', async () => {
    await withServer({ namespaces: [{ ...feed, read: 'all' }] }, async (t) => {
      const epoch = await publishN(t, 'feed:hist', 12)
      const { c } = await t.connected()
      const ok = await c.call({ type: 'history', channel: 'feed:hist', since: { epoch, offset: 9 } }, 'history')
      assert.deepEqual([ok.recovered, offsets(ok.publications), ok.offset], [true, [10, 11, 12], 12])
      const gone = await c.call({ type: 'history', channel: 'feed:hist', since: { epoch, offset: 2 } }, 'history')
      assert.equal(gone.recovered, false)
      const latest = await c.call({ type: 'history', channel: 'feed:hist', limit: 2 }, 'history')
      assert.deepEqual([latest.recovered, offsets(latest.publications)], [undefined, [11, 12]])
    })
  })

  test('subscribe-then-read race: recovered publications and live pubs join without a gap or a duplicate', async () => {
    const big: NamespaceRule = { ...feed, historySize: 1000 }
    let straddled = 0 // rounds where publications landed both in the recovery and live after it
    await withServer({ namespaces: [big] }, async (t) => {
      for (let round = 0; round < 5; round++) {
        const channel = `feed:race${round}`
        const epoch = await publishN(t, channel, 3)
        const { c } = await t.connected()
        // Publish concurrently with the subscribe, from the application side.
        let stop = false
        let top = 3
        const publisher = (async () => {
          for (let i = 0; i < 200 && !stop; i++) {
            top = (await t.server.publish(channel, { n: top + 1 })).offset ?? top
            if (i % 5 === 4) await new Promise((r) => setImmediate(r))
          }
        })()
        const sub = await resubscribe(c, channel, { epoch, offset: 1 })
        stop = true
        await publisher
        assert.equal(sub.recovered, true)
        const seen = offsets(sub.publications) as number[]
        if (seen.length > 2 && seen.length < top - 1) straddled += 1
        while ((seen[seen.length - 1] ?? 1) < top) seen.push((await c.nextOf('pub')).offset ?? -1)
        assert.deepEqual(seen, Array.from({ length: top - 1 }, (_, i) => i + 2), `round ${round}`)
        assert.deepEqual(await c.collect('pub', 30), [], 'nothing after the top offset')
      }
    })
    assert.ok(straddled > 0, 'the race window was never hit: publish faster or subscribe later')
  })
})
