/** Subscriptions: resubscribe with since, recovery reporting (G2), offset continuity (G3), queries. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PublicationEvent, SubscribedEvent } from '../../src/core/subscription.js'
import { flush, harness } from '../helpers/fake-adapter.js'

const CH = 'news'
const pub = (offset: number, epoch = 'e1') => ({ type: 'pub', channel: CH, data: { n: offset }, epoch, offset })

async function live(top = 3) {
  const h = harness()
  const got: PublicationEvent[] = []
  const subscribedEvents: SubscribedEvent[] = []
  const sub = h.client.subscribe(CH, { publication: (p) => got.push(p), subscribed: (s) => subscribedEvents.push(s) })
  await h.connect()
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, epoch: 'e1', offset: top })
  await flush()
  return { h, sub, got, subscribedEvents, offsets: () => got.map((p) => p.offset) }
}

test('first subscribe sends no since; the event says not recovered, no reload', async () => {
  const { h, subscribedEvents, sub } = await live(3)
  assert.equal(h.socket.last('subscribe').since, undefined)
  assert.deepEqual(subscribedEvents, [{ channel: CH, recovered: false, resubscribed: false, reload: false, epoch: 'e1', offset: 3 }])
  assert.deepEqual(sub.position, { epoch: 'e1', offset: 3 })
})

test('live publications in order are delivered; duplicates by offset are dropped (G3)', async () => {
  const { h, offsets } = await live(3)
  for (const o of [4, 5, 5, 4, 6]) h.socket.receive(pub(o))
  assert.deepEqual(offsets(), [4, 5, 6])
})

test('a gap in offsets resubscribes at once with since = last delivered, and the recovery closes it', async () => {
  const { h, offsets, subscribedEvents, sub } = await live(3)
  h.socket.receive(pub(4))
  h.socket.receive(pub(7)) // 5 and 6 lost
  assert.equal(sub.state, 'subscribing')
  const [unsub, resub] = h.socket.sent.slice(-2)
  assert.deepEqual([unsub.type, unsub.channel], ['unsubscribe', CH])
  assert.deepEqual(resub.since, { epoch: 'e1', offset: 4 })
  h.socket.receive(pub(8)) // leftover of the old subscription while subscribing: ignored
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, epoch: 'e1', offset: 8, recovered: true, publications: [5, 6, 7, 8].map((o) => ({ data: { n: o }, offset: o })) })
  await flush()
  h.socket.receive(pub(9))
  assert.deepEqual(offsets(), [4, 5, 6, 7, 8, 9])
  assert.deepEqual(subscribedEvents.at(-1), { channel: CH, recovered: true, resubscribed: true, reload: false, epoch: 'e1', offset: 8 })
})

test('a new epoch on a live publication is a gap too', async () => {
  const { h, sub } = await live(3)
  h.socket.receive(pub(4, 'e2'))
  assert.equal(sub.state, 'subscribing')
  assert.deepEqual(h.socket.last('subscribe').since, { epoch: 'e1', offset: 3 })
})

test('after a reconnect it resubscribes with since; recovered publications arrive once, in order', async () => {
  const { h, offsets, subscribedEvents } = await live(3)
  h.socket.receive(pub(4))
  h.socket.serverClose(4000)
  h.clock.advance(750)
  await h.connect()
  assert.deepEqual(h.socket.last('subscribe').since, { epoch: 'e1', offset: 4 })
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, epoch: 'e1', offset: 6, recovered: true, publications: [{ data: 1, offset: 4 }, { data: 1, offset: 5 }, { data: 1, offset: 6 }] })
  await flush()
  assert.deepEqual(offsets(), [4, 5, 6])
  assert.equal(subscribedEvents.at(-1)?.recovered, true)
})

test('not recovered: reload hint, position jumps to the stream top, nothing replayed', async () => {
  const { h, offsets, subscribedEvents, sub } = await live(3)
  h.socket.serverClose(1006)
  h.clock.advance(750)
  await h.connect()
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, epoch: 'e1', offset: 500, recovered: false, publications: [] })
  await flush()
  assert.deepEqual(subscribedEvents.at(-1), { channel: CH, recovered: false, resubscribed: true, reload: true, epoch: 'e1', offset: 500 })
  assert.deepEqual(sub.position, { epoch: 'e1', offset: 500 })
  h.socket.receive(pub(501))
  assert.deepEqual(offsets(), [501])
})

test('a channel without history: resubscribe has no since and reports reload', async () => {
  const h = harness()
  const events: SubscribedEvent[] = []
  const got: unknown[] = []
  h.client.subscribe('plain', { subscribed: (s) => events.push(s), publication: (p) => got.push(p.data) })
  await h.connect()
  h.socket.reply('subscribe', { type: 'subscribed', channel: 'plain' })
  await flush()
  h.socket.receive({ type: 'pub', channel: 'plain', data: 'a' })
  h.socket.receive({ type: 'pub', channel: 'plain', data: 'a' }) // no offset: no dedupe possible, both delivered
  h.socket.serverClose(4000)
  h.clock.advance(750)
  await h.connect()
  assert.equal(h.socket.last('subscribe').since, undefined)
  h.socket.reply('subscribe', { type: 'subscribed', channel: 'plain' })
  await flush()
  assert.deepEqual(got, ['a', 'a'])
  assert.deepEqual(events.map((e) => [e.recovered, e.reload]), [[false, false], [false, true]])
})

test('since given by the app is sent on the first subscribe', async () => {
  const h = harness()
  const events: SubscribedEvent[] = []
  h.client.subscribe(CH, { subscribed: (s) => events.push(s) }, { since: { epoch: 'e9', offset: 10 } })
  await h.connect()
  assert.deepEqual(h.socket.last('subscribe').since, { epoch: 'e9', offset: 10 })
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, epoch: 'e9', offset: 10, recovered: true, publications: [] })
  await flush()
  assert.deepEqual(events.map((e) => [e.recovered, e.reload, e.resubscribed]), [[true, false, false]])
})

test('a pub with a non-numeric offset is delivered without breaking continuity', async () => {
  const { h, got, offsets } = await live(3)
  h.socket.receive({ type: 'pub', channel: CH, data: 'odd', epoch: 'e1', offset: '4' })
  h.socket.receive(pub(4))
  assert.equal(got.length, 2)
  assert.deepEqual(offsets().slice(1), [4])
})

test('unsubscribe sends unsubscribe, frees the channel and drops every listener', async () => {
  const { h, sub, got } = await live(3)
  let states = 0
  sub.on('state', () => states++)
  sub.unsubscribe()
  assert.equal(h.socket.last('unsubscribe').channel, CH)
  assert.equal(h.client.subscription(CH), undefined)
  assert.equal(states, 1)
  const again = h.client.subscribe(CH)
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, epoch: 'e1', offset: 3 })
  await flush()
  h.socket.receive(pub(4))
  assert.equal(got.length, 0, 'the old handlers are gone')
  assert.equal(states, 1)
  assert.equal(again.state, 'subscribed')
})

test('subscribing twice to one channel throws ClientError 104', async () => {
  const h = harness()
  h.client.subscribe(CH)
  assert.throws(() => h.client.subscribe(CH), { name: 'ClientError', code: 104 })
})

test('join and leave reach the subscription; history and presence queries resolve', async () => {
  const { h, sub } = await live(3)
  const seen: string[] = []
  sub.on('join', (m) => seen.push(`join ${m.client} ${m.state}`))
  sub.on('leave', (m) => seen.push(`leave ${m.client}`))
  h.socket.receive({ type: 'join', channel: CH, member: { client: 'c2', user: 'u2', state: 'online' } })
  h.socket.receive({ type: 'join', channel: CH, member: { client: 'c2', user: 'u2', state: 'away' } })
  h.socket.receive({ type: 'leave', channel: CH, member: { client: 'c2', user: 'u2', state: 'away' } })
  assert.deepEqual(seen, ['join c2 online', 'join c2 away', 'leave c2'])

  const history = sub.history({ limit: 2 })
  assert.deepEqual({ ...h.socket.last('history'), id: 0 }, { type: 'history', id: 0, channel: CH, limit: 2 })
  h.socket.reply('history', { type: 'history', channel: CH, epoch: 'e1', offset: 3, publications: [{ data: 1, offset: 2 }, { data: 2, offset: 3 }] })
  assert.deepEqual(await history, { epoch: 'e1', offset: 3, publications: [{ data: 1, offset: 2 }, { data: 2, offset: 3 }] })

  const members = sub.presence()
  h.socket.reply('presence', { type: 'presence', channel: CH, members: [{ client: 'c1', user: '', state: 'online' }] })
  assert.deepEqual(await members, [{ client: 'c1', user: '', state: 'online' }])
})

test('publications on channels without a Subscription go to the client publication event', async () => {
  const h = harness()
  const got: unknown[] = []
  h.client.on('publication', (p) => got.push([p.channel, p.data]))
  await h.connect()
  h.socket.receive({ type: 'subscribed', id: 0, channel: 'user:42' }) // server-side subscription
  h.socket.receive({ type: 'pub', channel: 'user:42', data: 'hi' })
  assert.deepEqual(got, [['user:42', 'hi']])
})

test('live publications right behind the subscribed reply, in the same network read, are not lost', async () => {
  const h = harness()
  const got: unknown[] = []
  h.client.subscribe(CH, { publication: (p) => got.push(p.offset) })
  await h.connect()
  // No await between the frames: a platform dispatches one read's frames in one go.
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, epoch: 'e1', offset: 3 })
  h.socket.receive(pub(4))
  h.socket.receive(pub(5))
  h.socket.receive(pub(7)) // a gap: resubscribe; the recovery reply and the next live pub also arrive together
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, epoch: 'e1', offset: 7, recovered: true, publications: [{ data: 6, offset: 6 }, { data: 7, offset: 7 }] })
  h.socket.receive(pub(8))
  assert.deepEqual(got, [4, 5, 6, 7, 8])
})

// Protocol v2's compact pub: ["p", channel, data, offset, epoch?] with the epoch left off while unchanged.
const compact = (offset: number, epoch?: string) => (epoch === undefined ? ['p', CH, { n: offset }, offset] : ['p', CH, { n: offset }, offset, epoch])

test('v2 compact publications: without an epoch they are in the one last heard, and events carry it', async () => {
  const { h, got, offsets } = await live(3)
  for (const o of [4, 5, 5, 6]) h.socket.receive(compact(o))
  assert.deepEqual(offsets(), [4, 5, 6])
  assert.deepEqual(got[0], { channel: CH, data: { n: 4 }, offset: 4, epoch: 'e1', info: undefined })
})

test('v2 compact publications: a new epoch on one is a gap, the ones after it are in that epoch', async () => {
  const { h, sub, offsets } = await live(3)
  h.socket.receive(compact(4))
  h.socket.receive(compact(1, 'e2'))
  assert.equal(sub.state, 'subscribing')
  assert.deepEqual(h.socket.last('subscribe').since, { epoch: 'e1', offset: 4 })
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, epoch: 'e2', offset: 1, recovered: false })
  await flush()
  h.socket.receive(compact(2))
  assert.deepEqual(offsets(), [4, 2])
  assert.deepEqual(sub.position, { epoch: 'e2', offset: 2 })
})

test('v2 compact publications: a reconnect forgets the epochs of the old connection', async () => {
  const { h, sub } = await live(3)
  h.socket.serverClose(4000)
  h.clock.advance(750)
  await h.connect()
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, epoch: 'e1', offset: 3, recovered: true, publications: [] })
  await flush()
  h.socket.receive(compact(4))
  assert.deepEqual(sub.position, { epoch: 'e1', offset: 4 })
  // A server that sent no epoch at all on this connection: the offset alone is no proof of the epoch.
  h.socket.serverClose(4000)
  h.clock.advance(2000)
  await h.connect()
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, recovered: false })
  await flush()
  h.socket.receive(compact(5))
  assert.equal(sub.position, undefined)
})

test('a malformed compact frame is reported, never thrown into the socket callback', async () => {
  const { h, offsets } = await live(3)
  const errors: string[] = []
  h.client.on('error', (e) => errors.push(e.message))
  h.socket.receive(['x', CH, 1])
  h.socket.receive([])
  h.socket.receive(compact(4))
  assert.equal(errors.length, 2)
  assert.deepEqual(offsets(), [4])
})
