/** Unit tests of the single-node memory engine on a FakeClock: history, epochs, TTL, idempotency, presence. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import type { PresenceMember } from '@minisocket/protocol'
import { IdempotencyStore } from '../src/engine/idempotency.js'
import { MemoryBroker } from '../src/engine/memory-broker.js'
import { MemoryHistory } from '../src/engine/memory-history.js'
import { MemoryPresence } from '../src/engine/memory-presence.js'
import type { StreamPublication } from '../src/engine/types.js'

const H = { size: 3, ttlMs: 1000 }

function epochs(): () => string {
  let n = 0
  return () => `e${++n}`
}

describe('MemoryHistory', () => {
  test('offsets increase by one per append and the stream keeps the last `size`', () => {
    const h = new MemoryHistory(new FakeClock(), epochs())
    for (let i = 1; i <= 5; i++) assert.equal(h.append('c', i, undefined, H).publication.offset, i)
    const read = h.read('c', {}, H)
    assert.equal(read.epoch, 'e1')
    assert.equal(read.offset, 5)
    assert.equal(read.firstOffset, 3)
    assert.deepEqual(read.publications.map((p) => p.data), [3, 4, 5])
  })

  test('since selects publications after the offset, oldest first; limit caps from the oldest', () => {
    const h = new MemoryHistory(new FakeClock(), epochs())
    for (let i = 1; i <= 3; i++) h.append('c', i, undefined, H)
    assert.deepEqual(h.read('c', { since: { epoch: 'e1', offset: 1 } }, H).publications.map((p) => p.offset), [2, 3])
    assert.deepEqual(h.read('c', { since: { epoch: 'e1', offset: 0 }, limit: 2 }, H).publications.map((p) => p.offset), [1, 2])
    assert.deepEqual(h.read('c', { limit: 2 }, H).publications.map((p) => p.offset), [2, 3])
    assert.deepEqual(h.read('c', { limit: 0 }, H).publications, [])
  })

  test('an empty stream is created with offset 0 and firstOffset 1', () => {
    const read = new MemoryHistory(new FakeClock(), epochs()).read('new', {}, H)
    assert.deepEqual(read, { epoch: 'e1', offset: 0, publications: [], firstOffset: 1 })
  })

  test('the stream expires ttl after its last append: a new epoch starts at offset 0', () => {
    const clock = new FakeClock()
    const h = new MemoryHistory(clock, epochs())
    h.append('c', 1, undefined, H)
    clock.advance(999)
    assert.equal(h.read('c', {}, H).epoch, 'e1')
    h.append('c', 2, undefined, H)
    clock.advance(999)
    assert.equal(h.read('c', {}, H).offset, 2, 'the second append extended the ttl')
    clock.advance(1)
    const read = h.read('c', {}, H)
    assert.equal(read.epoch, 'e2')
    assert.equal(read.offset, 0)
  })
})

describe('MemoryBroker', () => {
  function recorder(): { pubs: Array<[string, StreamPublication]>; joins: PresenceMember[]; leaves: PresenceMember[]; handler: Parameters<MemoryBroker['start']>[0] } {
    const pubs: Array<[string, StreamPublication]> = []
    const joins: PresenceMember[] = []
    const leaves: PresenceMember[] = []
    return {
      pubs,
      joins,
      leaves,
      handler: { onPublication: (c, p) => pubs.push([c, p]), onJoin: (_c, m) => joins.push(m), onLeave: (_c, m) => leaves.push(m) },
    }
  }

  test('delivers only channels the node subscribed to, with epoch/offset when history is on', async () => {
    const broker = new MemoryBroker({ clock: new FakeClock(), newEpoch: epochs() })
    const r = recorder()
    await broker.start(r.handler)
    await broker.subscribe('a')
    const res = await broker.publish('a', 'x', { client: 'c1', user: 'u' }, { history: H })
    assert.deepEqual(res, { duplicate: false, epoch: 'e1', offset: 1 })
    await broker.publish('b', 'y', undefined, {})
    await broker.publish('a', 'live', undefined, {})
    assert.deepEqual(r.pubs, [
      ['a', { data: 'x', info: { client: 'c1', user: 'u' }, epoch: 'e1', offset: 1 }],
      ['a', { data: 'live' }],
    ])
    await broker.unsubscribe('a')
    await broker.publish('a', 'z', undefined, {})
    assert.equal(r.pubs.length, 2)
  })

  test('idempotency key: a repeat returns the first result, duplicate, nothing stored or delivered; expires after its ttl', async () => {
    const clock = new FakeClock()
    const broker = new MemoryBroker({ clock, newEpoch: epochs() })
    const r = recorder()
    await broker.start(r.handler)
    await broker.subscribe('a')
    const opts = { history: { size: 10, ttlMs: 60_000 }, idempotencyKey: 'k', idempotencyTtlMs: 1000 }
    const first = await broker.publish('a', 1, undefined, opts)
    const again = await broker.publish('a', 1, undefined, opts)
    assert.deepEqual(again, { ...first, duplicate: true })
    assert.equal(r.pubs.length, 1)
    assert.equal((await broker.history('a', {}, opts.history)).offset, 1)
    clock.advance(1000)
    const later = await broker.publish('a', 1, undefined, opts)
    assert.equal(later.duplicate, false)
    assert.equal(later.offset, 2)
  })

  test('join/leave reach the handler for subscribed channels; a closed broker refuses work', async () => {
    const broker = new MemoryBroker({ clock: new FakeClock() })
    const r = recorder()
    await broker.start(r.handler)
    await broker.subscribe('p')
    const m: PresenceMember = { client: 'c', user: 'u', state: 'online' }
    await broker.publishJoin('p', m)
    await broker.publishLeave('p', m)
    assert.deepEqual([r.joins, r.leaves], [[m], [m]])
    await broker.close()
    await assert.rejects(broker.publish('p', 1, undefined, {}), /closed/)
  })
})

describe('IdempotencyStore', () => {
  test('bounded: past maxKeys the oldest key is forgotten', () => {
    const store = new IdempotencyStore(new FakeClock(), 3)
    for (const k of ['a', 'b', 'c', 'd']) store.set(k, { duplicate: false, offset: k.charCodeAt(0) }, 10_000)
    assert.equal(store.size, 3)
    assert.equal(store.get('a'), undefined)
    assert.equal(store.get('d')?.offset, 'd'.charCodeAt(0))
  })
})

describe('MemoryPresence', () => {
  test('add is an upsert per client; members expire after their ttl; remove', async () => {
    const clock = new FakeClock()
    const p = new MemoryPresence(clock)
    await p.add('room', { client: 'a', user: 'u1', state: 'online' }, 1000)
    await p.add('room', { client: 'b', user: 'u2', state: 'online' }, 5000)
    await p.add('room', { client: 'a', user: 'u1', state: 'away' }, 1000)
    assert.deepEqual((await p.list('room')).map((m) => `${m.client}:${m.state}`).sort(), ['a:away', 'b:online'])
    clock.advance(1000)
    assert.deepEqual((await p.list('room')).map((m) => m.client), ['b'])
    await p.remove('room', 'b')
    assert.deepEqual(await p.list('room'), [])
  })
})
