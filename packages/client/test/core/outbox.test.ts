/** The outbox: publishes while not connected, bounded by count, bytes and age, flushed in order (G5). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SyncStorage } from '../../src/core/adapter.js'
import type { OutboxDropEvent } from '../../src/core/types.js'
import { flush, harness } from '../helpers/fake-adapter.js'

const ack = (h: ReturnType<typeof harness>, frame: { id: number }, extra: Record<string, unknown> = {}) => h.socket.receive({ type: 'ack', id: frame.id, ...extra })

function memoryStorage(): SyncStorage & { data: Map<string, string> } {
  const data = new Map<string, string>()
  return { data, getItem: (k) => data.get(k) ?? '', setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) }
}

test('queued while offline, flushed in order after connect and resubscription, each with its mid', async () => {
  const h = harness()
  h.client.connect() // `closed` (the initial state) refuses publishes; connecting queues them
  h.client.subscribe('room')
  const sends = [1, 2, 3].map((n) => h.client.publish('room', { n }))
  assert.deepEqual(sends.map((s) => s.status), ['queued', 'queued', 'queued'])
  await h.connect()
  assert.equal(h.socket.all('publish').length, 0, 'nothing before the resubscribe is answered')
  const late = h.client.publish('room', { n: 4 })
  assert.equal(late.status, 'queued')
  h.socket.reply('subscribe', { type: 'subscribed', channel: 'room', epoch: 'e', offset: 0 })
  await flush()
  const published = h.socket.all('publish')
  assert.deepEqual(published.map((f) => f.data.n), [1, 2, 3, 4])
  assert.equal(new Set(published.map((f) => f.mid)).size, 4)
  published.forEach((f, i) => ack(h, f, { epoch: 'e', offset: i + 1 }))
  assert.deepEqual(await Promise.all(sends), [1, 2, 3].map((offset) => ({ status: 'sent', epoch: 'e', offset, duplicate: false })))
  const now = h.client.publish('room', { n: 5 })
  assert.equal(now.status, 'sent')
})

test('unacked messages are re-sent after a reconnect with the same mid; the duplicate ack resolves once', async () => {
  const h = harness()
  await h.connect()
  const sending = h.client.publish('room', 'hello')
  const first = h.socket.last('publish')
  h.socket.serverClose(1006) // the ack was lost
  h.clock.advance(750)
  await h.connect()
  const again = h.socket.last('publish')
  assert.equal(again.mid, first.mid)
  assert.notEqual(again.id, first.id)
  ack(h, again, { epoch: 'e', offset: 9, duplicate: true })
  assert.deepEqual(await sending, { status: 'sent', epoch: 'e', offset: 9, duplicate: true })
  h.socket.serverClose(1006)
  h.clock.advance(750)
  await h.connect()
  assert.equal(h.socket.all('publish').length, 0, 'acked: not sent again')
})

test('count bound: the publish that does not fit is refused with 202 and an outbox event', async () => {
  const h = harness({ outbox: { maxCount: 2 } })
  h.client.connect()
  const drops: OutboxDropEvent[] = []
  h.client.on('outbox', (e) => drops.push(e))
  h.client.publish('a', 1)
  h.client.publish('a', 2)
  const third = h.client.publish('a', 3)
  assert.equal(third.status, 'dropped')
  await assert.rejects(third, { name: 'ClientError', code: 202 })
  assert.deepEqual(drops.map((d) => [d.reason, d.data]), [['overflow', 3]])
  await h.connect()
  assert.deepEqual(h.socket.all('publish').map((f) => f.data), [1, 2])
})

test('byte bound counts UTF-8 bytes of channel + data', async () => {
  const h = harness({ outbox: { maxBytes: 30 } })
  h.client.connect()
  const ok = h.client.publish('c', 'é'.repeat(10)) // 'c' + '"é…é"': 1 + 2 + 20 = 23 bytes
  assert.equal(ok.status, 'queued')
  const fits = h.client.publish('c', 'abc') // 1 + 5: 29 in all
  assert.equal(fits.status, 'queued')
  const full = h.client.publish('c', 'x') // 1 + 3: 33 > 30
  assert.equal(full.status, 'dropped')
  await assert.rejects(full, { code: 202 })
})

test('age bound: a message not acked within maxAge is dropped with an event and 202, the rest flush in order', async () => {
  const h = harness({ outbox: { maxAge: 1_000 } })
  h.client.connect()
  const drops: OutboxDropEvent[] = []
  h.client.on('outbox', (e) => drops.push(e))
  const old = h.client.publish('a', 'old')
  h.clock.advance(600)
  h.client.publish('a', 'young')
  h.clock.advance(400)
  await assert.rejects(old, { code: 202, message: 'message expired in the outbox' })
  assert.deepEqual(drops.map((d) => [d.reason, d.data]), [['expired', 'old']])
  await h.connect()
  assert.deepEqual(h.socket.all('publish').map((f) => f.data), ['young'])
})

test('volatile: dropped when not connected, sent when connected and not re-sent', async () => {
  const h = harness()
  h.client.connect()
  const offline = h.client.publish('typing', true, { volatile: true })
  assert.equal(offline.status, 'dropped')
  assert.deepEqual(await offline, { status: 'dropped' })
  await h.connect()
  const online = h.client.publish('typing', true, { volatile: true })
  assert.equal(online.status, 'sent')
  assert.equal(h.socket.last('publish').mid, undefined)
  h.socket.serverClose(1006)
  await assert.rejects(online, { code: 200 })
  h.clock.advance(750)
  await h.connect()
  assert.equal(h.socket.all('publish').length, 0)
})

test('a refusal from the server rejects the publish with its code and removes it', async () => {
  const h = harness()
  await h.connect()
  const p = h.client.publish('private', 1)
  h.socket.reply('publish', { type: 'error', code: 102, message: 'permission denied' })
  await assert.rejects(p, { name: 'ClientError', code: 102, retryable: false })
  h.socket.serverClose(1006)
  h.clock.advance(750)
  await h.connect()
  assert.equal(h.socket.all('publish').length, 0)
})

test('close() rejects queued publishes with 201; publish while closed rejects at once', async () => {
  const h = harness()
  h.client.connect()
  const queued = h.client.publish('a', 1)
  h.client.close()
  await assert.rejects(queued, { code: 201 })
  const after = h.client.publish('a', 2)
  assert.equal(after.status, 'dropped')
  await assert.rejects(after, { code: 201 })
})

test('bad data and oversized messages are refused with clear codes', async () => {
  const h = harness()
  await h.connect({ maxMessageSize: 200 })
  const circular: Record<string, unknown> = {}
  circular.self = circular
  await assert.rejects(h.client.publish('a', circular as never), { code: 100 })
  await assert.rejects(h.client.publish('a', 'x'.repeat(300)), { code: 203 })
  assert.equal(h.socket.all('publish').length, 0)
})

test('an ignored rejected publish does not become an unhandled rejection', async () => {
  const h = harness({ outbox: { maxCount: 0 } })
  let unhandled = 0
  const onUnhandled = (): void => void unhandled++
  process.on('unhandledRejection', onUnhandled)
  try {
    h.client.publish('a', 1)
    await flush()
    await flush()
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
  assert.equal(unhandled, 0)
})

test('storage: the queue is written through and reloaded by a new client, entries keep their mid', async () => {
  const storage = memoryStorage()
  const h1 = harness({ outbox: { storage, key: 'box' } })
  h1.client.connect()
  h1.client.publish('a', 1)
  h1.client.publish('a', { two: 2 })
  const saved = JSON.parse(storage.data.get('box')!)
  assert.equal(saved.length, 2)
  // the app is killed here: h1 is simply dropped
  const h2 = harness({ outbox: { storage, key: 'box' } })
  await h2.connect()
  const sent = h2.socket.all('publish')
  assert.deepEqual(sent.map((f) => [f.data, f.mid]), saved.map((e: { data: unknown; mid: string }) => [e.data, e.mid]))
  sent.forEach((f) => ack(h2, f))
  await flush()
  assert.equal(storage.data.has('box'), false, 'emptied storage once everything is acked')
})

test('storage: corrupt or malformed stored entries are skipped, never thrown', async () => {
  const storage = memoryStorage()
  storage.data.set('minisocket:outbox', '{not json')
  const h1 = harness({ outbox: { storage } })
  await h1.connect()
  assert.equal(h1.socket.all('publish').length, 0)
  storage.data.set('minisocket:outbox', JSON.stringify([{ channel: 'a', data: 1, mid: 'm1', at: h1.clock.now() }, { channel: 5 }, null, 'x']))
  const h2 = harness({ outbox: { storage } })
  await h2.connect()
  assert.deepEqual(h2.socket.all('publish').map((f) => f.mid), ['m1'])
})

test('storage: a throwing setItem (quota) is logged, the publish still goes out', async () => {
  const errors: string[] = []
  const storage = { getItem: () => null, setItem: () => { throw new Error('quota') }, removeItem: () => {} }
  const h = harness({ outbox: { storage }, logger: { debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) } })
  await h.connect()
  h.client.publish('a', 1)
  assert.equal(h.socket.all('publish').length, 1)
  assert.deepEqual(errors, ['outbox: storage write failed'])
})
