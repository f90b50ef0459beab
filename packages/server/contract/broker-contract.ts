/**
 * The live half of the Broker contract: fan-out between nodes, order, join/leave, unsubscribe,
 * close. The stored half (history, epochs, TTL, idempotency) is in history-contract.ts.
 * Run with runBrokerContract() from index.ts.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { PresenceMember } from '@minisocket/protocol'
import type { Broker } from '../src/engine/types.js'
import type { FixtureFactory } from './fixture.js'
import { KEEP, withBrokers } from './session.js'
import { eventually, uniqueChannel } from './wait.js'

const alice: PresenceMember = { client: 'c-alice', user: 'alice', state: 'online', info: { nick: 'Alice' } }

export function liveBrokerContract(factory: FixtureFactory<Broker>): void {
  describe('live delivery', () => {
    it('delivers a publication to every subscribed node, with its epoch and offset', async () => {
      await withBrokers(factory, async ({ a, b, recA, recB }) => {
        const ch = uniqueChannel('fanout')
        await a.subscribe(ch)
        await b.subscribe(ch)
        const info = { client: 'c1', user: 'u1' }
        const res = await a.publish(ch, { text: 'hi' }, info, { history: KEEP })
        await eventually(() => recA.pubs(ch).length === 1 && recB.pubs(ch).length === 1, 'delivery on both nodes')
        for (const rec of [recA, recB]) {
          assert.deepEqual(rec.pubs(ch), [{ data: { text: 'hi' }, info, offset: res.offset, epoch: res.epoch }])
        }
        assert.equal(res.offset, 1)
        assert.equal(res.duplicate, false)
      })
    })

    it('does not deliver to a node that did not subscribe the channel', async (t) => {
      await withBrokers(factory, async ({ a, b, recA, recB, twoNodes }) => {
        if (!twoNodes) return t.skip('single-node fixture (no peer): needs two nodes')
        const ch = uniqueChannel('only-a')
        const marker = uniqueChannel('marker')
        await a.subscribe(ch)
        await b.subscribe(marker)
        await a.publish(ch, 1, undefined, {})
        await a.publish(marker, 'end', undefined, {})
        await eventually(() => recB.pubs(marker).length === 1 && recA.pubs(ch).length === 1, 'marker on B')
        assert.equal(recB.pubs(ch).length, 0)
      })
    })

    it('publishes without history live only: no epoch, no offset', async () => {
      await withBrokers(factory, async ({ a, b, recB }) => {
        const ch = uniqueChannel('nohist')
        await b.subscribe(ch)
        const res = await a.publish(ch, 'x', undefined, {})
        assert.deepEqual(res, { duplicate: false })
        await eventually(() => recB.pubs(ch).length === 1, 'live delivery')
        assert.deepEqual(recB.pubs(ch), [{ data: 'x' }])
      })
    })

    it('assigns offsets 1..N without gaps to concurrent publishes from both nodes, delivered in offset order everywhere', async () => {
      await withBrokers(factory, async ({ a, b, recA, recB }) => {
        const ch = uniqueChannel('order')
        const n = 40
        await a.subscribe(ch)
        await b.subscribe(ch)
        const results = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? a : b).publish(ch, i, undefined, { history: KEEP })))
        const offsets = results.map((r) => r.offset ?? -1).sort((x, y) => x - y)
        assert.deepEqual(offsets, Array.from({ length: n }, (_, i) => i + 1))
        assert.equal(new Set(results.map((r) => r.epoch)).size, 1)
        await eventually(() => recA.pubs(ch).length === n && recB.pubs(ch).length === n, `${n} deliveries on each node`)
        const expected = Array.from({ length: n }, (_, i) => i + 1)
        assert.deepEqual(recA.pubs(ch).map((p) => p.offset), expected)
        assert.deepEqual(recB.pubs(ch).map((p) => p.offset), expected)
        // The data delivered at offset k is the data whose publish returned offset k.
        const byOffset = new Map(results.map((r, i) => [r.offset, i]))
        for (const p of recB.pubs(ch)) assert.equal(p.data, byOffset.get(p.offset))
      })
    })

    it('delivers joins and leaves to every subscribed node', async () => {
      await withBrokers(factory, async ({ a, b, recA, recB }) => {
        const ch = uniqueChannel('joinleave')
        await a.subscribe(ch)
        await b.subscribe(ch)
        await a.publishJoin(ch, alice)
        await b.publishLeave(ch, alice)
        await eventually(() => (recB.leaves.get(ch)?.length ?? 0) === 1 && (recA.leaves.get(ch)?.length ?? 0) === 1, 'leave on both nodes')
        assert.deepEqual(recA.joins.get(ch), [alice])
        assert.deepEqual(recB.joins.get(ch), [alice])
        assert.deepEqual(recB.leaves.get(ch), [alice])
      })
    })

    it('subscribing twice delivers once', async () => {
      await withBrokers(factory, async ({ a, recA }) => {
        const ch = uniqueChannel('twice')
        await a.subscribe(ch)
        await a.subscribe(ch)
        await a.publish(ch, 1, undefined, {})
        await a.publish(ch, 2, undefined, {})
        await eventually(() => recA.pubs(ch).length >= 2, 'two deliveries')
        const marker = uniqueChannel('marker')
        await a.subscribe(marker)
        await a.publish(marker, 'end', undefined, {})
        await eventually(() => recA.pubs(marker).length === 1, 'marker')
        assert.deepEqual(recA.pubs(ch).map((p) => p.data), [1, 2])
      })
    })

    it('stops delivering a channel after unsubscribe; other channels keep flowing', async () => {
      await withBrokers(factory, async ({ a, b, recB }) => {
        const ch = uniqueChannel('unsub')
        const marker = uniqueChannel('marker')
        await b.subscribe(ch)
        await b.subscribe(marker)
        await a.publish(ch, 'before', undefined, {})
        await eventually(() => recB.pubs(ch).length === 1, 'delivery before unsubscribe')
        await b.unsubscribe(ch)
        await a.publish(ch, 'after', undefined, { history: KEEP })
        await a.publish(marker, 'end', undefined, {})
        await eventually(() => recB.pubs(marker).length === 1, 'marker after unsubscribe')
        assert.deepEqual(recB.pubs(ch).map((p) => p.data), ['before'])
        // Unsubscribing a channel that is not subscribed is harmless.
        await b.unsubscribe(uniqueChannel('never'))
      })
    })

    it('close() resolves, twice is harmless, and publishing afterwards rejects', async () => {
      await withBrokers(factory, async ({ a }) => {
        await a.close()
        await a.close()
        await assert.rejects(a.publish(uniqueChannel('closed'), 1, undefined, {}))
      })
    })
  })
}
