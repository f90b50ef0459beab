/**
 * The stored half of the Broker contract: streams, epochs, trimming, TTL, idempotency and the
 * recovery case table (research R0, copied from centrifuge's engine tests).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Broker, HistoryOptions } from '../src/engine/types.js'
import { recoveryOutcome } from '../src/engine/types.js'
import type { FixtureFactory } from './fixture.js'
import { KEEP, withBrokers } from './session.js'
import { eventually, uniqueChannel } from './wait.js'

/** Short enough to wait for on real time (Redis), long enough to never expire by accident mid-step. */
const TTL_MS = 400

async function publishN(broker: Broker, channel: string, n: number, history: HistoryOptions): Promise<void> {
  for (let i = 1; i <= n; i++) await broker.publish(channel, i, undefined, { history })
}

export function historyBrokerContract(factory: FixtureFactory<Broker>): void {
  describe('history', () => {
    it('reading a missing stream creates it: an epoch, offset 0, nothing retained, and the same epoch on the next read', async () => {
      await withBrokers(factory, async ({ a, b }) => {
        const ch = uniqueChannel('create')
        const first = await a.history(ch, {}, KEEP)
        assert.equal(typeof first.epoch, 'string')
        assert.ok(first.epoch.length > 0)
        assert.deepEqual({ offset: first.offset, publications: first.publications, firstOffset: first.firstOffset }, { offset: 0, publications: [], firstOffset: 1 })
        const again = await b.history(ch, {}, KEEP)
        assert.equal(again.epoch, first.epoch)
      })
    })

    it('appends in the stream epoch with offsets 1, 2, 3 and returns them oldest first with data and info', async () => {
      await withBrokers(factory, async ({ a, b }) => {
        const ch = uniqueChannel('append')
        const created = await a.history(ch, {}, KEEP)
        const info = { client: 'c9', user: 'bob' }
        const results = [await a.publish(ch, 'one', info, { history: KEEP }), await b.publish(ch, { n: 2 }, undefined, { history: KEEP }), await a.publish(ch, [3], info, { history: KEEP })]
        assert.deepEqual(results, [1, 2, 3].map((offset) => ({ epoch: created.epoch, offset, duplicate: false })))
        const read = await b.history(ch, {}, KEEP)
        assert.equal(read.epoch, created.epoch)
        assert.equal(read.offset, 3)
        assert.equal(read.firstOffset, 1)
        assert.deepEqual(read.publications, [{ data: 'one', info, offset: 1 }, { data: { n: 2 }, offset: 2 }, { data: [3], info, offset: 3 }])
      })
    })

    it('a first publish creates the stream with an epoch', async () => {
      await withBrokers(factory, async ({ a, b }) => {
        const ch = uniqueChannel('pubfirst')
        const res = await a.publish(ch, 'x', undefined, { history: KEEP })
        assert.equal(res.offset, 1)
        assert.ok(typeof res.epoch === 'string' && res.epoch.length > 0)
        assert.equal((await b.history(ch, {}, KEEP)).epoch, res.epoch)
      })
    })

    it('keeps only the last `size` publications; firstOffset moves with the trimming', async () => {
      await withBrokers(factory, async ({ a }) => {
        const ch = uniqueChannel('trim')
        const opts = { size: 3, ttlMs: 60_000 }
        await publishN(a, ch, 5, opts)
        const read = await a.history(ch, {}, opts)
        assert.equal(read.offset, 5)
        assert.equal(read.firstOffset, 3)
        assert.deepEqual(read.publications.map((p) => [p.offset, p.data]), [[3, 3], [4, 4], [5, 5]])
      })
    })

    it('reads after `since` in the current epoch, at most `limit`, oldest first', async () => {
      await withBrokers(factory, async ({ a }) => {
        const ch = uniqueChannel('since')
        await publishN(a, ch, 5, KEEP)
        const { epoch } = await a.history(ch, {}, KEEP)
        const since = await a.history(ch, { since: { epoch, offset: 2 } }, KEEP)
        assert.deepEqual(since.publications.map((p) => p.offset), [3, 4, 5])
        const limited = await a.history(ch, { since: { epoch, offset: 1 }, limit: 2 }, KEEP)
        assert.deepEqual(limited.publications.map((p) => p.offset), [2, 3])
        assert.equal(limited.offset, 5)
      })
    })

    it('without a usable position, `limit` gives the latest publications, oldest first', async () => {
      await withBrokers(factory, async ({ a }) => {
        const ch = uniqueChannel('latest')
        await publishN(a, ch, 5, KEEP)
        assert.deepEqual((await a.history(ch, { limit: 2 }, KEEP)).publications.map((p) => p.offset), [4, 5])
        const other = await a.history(ch, { since: { epoch: 'other-epoch', offset: 1 }, limit: 2 }, KEEP)
        assert.deepEqual(other.publications.map((p) => p.offset), [4, 5])
        const positionOnly = await a.history(ch, { limit: 0 }, KEEP)
        assert.deepEqual([positionOnly.offset, positionOnly.firstOffset, positionOnly.publications], [5, 1, []])
      })
    })

    it('expires a stream ttlMs after its last publication; it comes back with a new epoch at offset 0', async () => {
      await withBrokers(factory, async ({ fixture, a }) => {
        const ch = uniqueChannel('ttl')
        const opts = { size: 10, ttlMs: TTL_MS }
        const first = await a.publish(ch, 1, undefined, { history: opts })
        await fixture.advance(TTL_MS * 2)
        const read = await a.history(ch, {}, opts)
        assert.notEqual(read.epoch, first.epoch)
        assert.deepEqual({ offset: read.offset, publications: read.publications }, { offset: 0, publications: [] })
        const next = await a.publish(ch, 2, undefined, { history: opts })
        assert.deepEqual(next, { epoch: read.epoch, offset: 1, duplicate: false })
      })
    })

    it('each publication restarts the TTL', async () => {
      await withBrokers(factory, async ({ fixture, a }) => {
        const ch = uniqueChannel('ttl-refresh')
        const opts = { size: 10, ttlMs: TTL_MS * 3 }
        const first = await a.publish(ch, 1, undefined, { history: opts })
        await fixture.advance(TTL_MS * 2)
        await a.publish(ch, 2, undefined, { history: opts })
        await fixture.advance(TTL_MS * 2)
        const read = await a.history(ch, {}, opts)
        assert.equal(read.epoch, first.epoch)
        assert.equal(read.offset, 2)
      })
    })

    it('removeHistory() drops the stream: the next read starts a new epoch at offset 0', async () => {
      await withBrokers(factory, async ({ a, b }) => {
        const ch = uniqueChannel('remove')
        const first = await a.publish(ch, 1, undefined, { history: KEEP })
        await b.removeHistory(ch)
        const read = await a.history(ch, {}, KEEP)
        assert.notEqual(read.epoch, first.epoch)
        assert.equal(read.offset, 0)
        assert.deepEqual(read.publications, [])
        await b.removeHistory(uniqueChannel('never-existed'))
      })
    })
  })

  describe('idempotency keys', () => {
    it('the same key on any node gives one entry, one delivery, and the first result with duplicate true', async () => {
      await withBrokers(factory, async ({ a, b, recA }) => {
        const ch = uniqueChannel('idem')
        await a.subscribe(ch)
        const opts = { history: KEEP, idempotencyKey: 'k1', idempotencyTtlMs: 60_000 }
        const first = await a.publish(ch, 'once', undefined, opts)
        const repeat = await b.publish(ch, 'once', undefined, opts)
        const again = await a.publish(ch, 'once', undefined, opts)
        assert.equal(first.duplicate, false)
        assert.deepEqual(repeat, { epoch: first.epoch, offset: first.offset, duplicate: true })
        assert.deepEqual(again, repeat)
        const other = await a.publish(ch, 'other', undefined, { ...opts, idempotencyKey: 'k2' })
        assert.equal(other.offset, 2)
        await eventually(() => recA.pubs(ch).length === 2, 'two deliveries')
        assert.deepEqual(recA.pubs(ch).map((p) => p.data), ['once', 'other'])
        assert.deepEqual((await a.history(ch, {}, KEEP)).publications.map((p) => p.data), ['once', 'other'])
      })
    })

    it('deduplicates live-only publishes too', async () => {
      await withBrokers(factory, async ({ a, recA }) => {
        const ch = uniqueChannel('idem-live')
        await a.subscribe(ch)
        const opts = { idempotencyKey: 'k', idempotencyTtlMs: 60_000 }
        assert.deepEqual(await a.publish(ch, 1, undefined, opts), { duplicate: false })
        assert.deepEqual(await a.publish(ch, 1, undefined, opts), { duplicate: true })
        await a.publish(ch, 'marker', undefined, {})
        await eventually(() => recA.pubs(ch).length >= 2, 'marker')
        assert.deepEqual(recA.pubs(ch).map((p) => p.data), [1, 'marker'])
      })
    })

    it('forgets a key after idempotencyTtlMs', async () => {
      await withBrokers(factory, async ({ fixture, a }) => {
        const ch = uniqueChannel('idem-ttl')
        const opts = { history: KEEP, idempotencyKey: 'k', idempotencyTtlMs: TTL_MS }
        await a.publish(ch, 1, undefined, opts)
        await fixture.advance(TTL_MS * 2)
        const later = await a.publish(ch, 1, undefined, opts)
        assert.deepEqual([later.offset, later.duplicate], [2, false])
      })
    })
  })

  describe('recovery cases (recoveryOutcome over a history read)', () => {
    const cases: Array<{ name: string; size: number; published: number; since: (epoch: string) => { epoch: string; offset: number }; recovered: boolean; offsets: number[] }> = [
      { name: 'from a valid position: true, the missed ones', size: 10, published: 5, since: (e) => ({ epoch: e, offset: 2 }), recovered: true, offsets: [3, 4, 5] },
      { name: 'from the same position: true, none', size: 10, published: 5, since: (e) => ({ epoch: e, offset: 5 }), recovered: true, offsets: [] },
      { name: 'from offset 0 of an untrimmed stream: true, all', size: 10, published: 3, since: (e) => ({ epoch: e, offset: 0 }), recovered: true, offsets: [1, 2, 3] },
      { name: 'from a future offset: false', size: 10, published: 3, since: (e) => ({ epoch: e, offset: 7 }), recovered: false, offsets: [] },
      { name: 'from a trimmed position: false', size: 3, published: 6, since: (e) => ({ epoch: e, offset: 1 }), recovered: false, offsets: [] },
      { name: 'from the last trimmed offset (first retained = since + 1): true', size: 3, published: 6, since: (e) => ({ epoch: e, offset: 3 }), recovered: true, offsets: [4, 5, 6] },
      { name: 'from another epoch: false', size: 10, published: 3, since: () => ({ epoch: 'not-this-epoch', offset: 1 }), recovered: false, offsets: [] },
    ]
    for (const c of cases) {
      it(c.name, async () => {
        await withBrokers(factory, async ({ a, b }) => {
          const ch = uniqueChannel('recovery')
          const opts = { size: c.size, ttlMs: 60_000 }
          await publishN(a, ch, c.published, opts)
          const { epoch } = await a.history(ch, {}, opts)
          const since = c.since(epoch)
          const outcome = recoveryOutcome(since, await b.history(ch, { since }, opts))
          assert.equal(outcome.recovered, c.recovered)
          assert.deepEqual(outcome.publications.map((p) => p.offset), c.offsets)
        })
      })
    }

    it('from a position in an expired stream: false', async () => {
      await withBrokers(factory, async ({ fixture, a }) => {
        const ch = uniqueChannel('recovery-expired')
        const opts = { size: 10, ttlMs: TTL_MS }
        const res = await a.publish(ch, 1, undefined, { history: opts })
        await fixture.advance(TTL_MS * 2)
        const since = { epoch: res.epoch ?? '', offset: 1 }
        const outcome = recoveryOutcome(since, await a.history(ch, { since }, opts))
        assert.deepEqual(outcome, { recovered: false, publications: [] })
      })
    })
  })
}
