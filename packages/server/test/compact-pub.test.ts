/**
 * Protocol v2's compact `pub` (docs/protocol.md): v2 connections get `["p", channel, data, offset]`
 * and the epoch only around a change of epoch; v1 connections on the same channel keep the
 * object form. The epoch rule is what keeps G2/G3 sound: a client never reads an offset
 * against an epoch it was not told, even when frames that carried the epoch were lost.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { sendsEpoch, type Subscription } from '../src/connection.js'
import { startServer, TestClient, wsUrl } from './helpers.js'

const TTL = 10_000
const pubs = (c: TestClient): string[] => c.texts.filter((t) => t.startsWith('["p"') || t.startsWith('{"type":"pub"'))

test('v2 gets the compact form without the epoch it already has, v1 the object form, from the same publication', async () => {
  const server = await startServer({ namespaces: [{ match: 'feed:*', historySize: 10 }, { match: 'live:*', historySize: 0 }] })
  try {
    const v2 = (await TestClient.connect(wsUrl(server), { versions: [1, 2] })).client
    const v1 = (await TestClient.connect(wsUrl(server), { versions: [1] })).client
    const s2 = await v2.request({ type: 'subscribe', channel: 'feed:a' }, 'subscribed')
    await v1.request({ type: 'subscribe', channel: 'feed:a' }, 'subscribed')
    await v2.request({ type: 'subscribe', channel: 'live:a' }, 'subscribed')
    const { epoch } = await server.publish('feed:a', { n: 1 })
    assert.equal(epoch, s2.epoch)
    await server.publish('live:a', 'x')
    const decoded = await v2.next('pub')
    await v2.next('pub')
    await v1.next('pub')
    assert.deepEqual(pubs(v2), ['["p","feed:a",{"n":1},1]', '["p","live:a","x"]'])
    assert.deepEqual(pubs(v1), [`{"type":"pub","channel":"feed:a","data":{"n":1},"epoch":"${epoch}","offset":1}`])
    assert.deepEqual(decoded, { type: 'pub', channel: 'feed:a', data: { n: 1 }, offset: 1 }, 'the strict decoder reads it, epoch left off')
    assert.deepEqual([v2.violations, v1.violations], [[], []])
    v2.close()
    v1.close()
  } finally {
    await server.close({ drainMs: 0 })
  }
})

test('v2: publications of a new epoch carry it until their offset is two past the highest sent before; publisher info rides at the end', async () => {
  const clock = new FakeClock()
  const server = await startServer({ clock, namespaces: [{ match: /^/, historySize: 10, historyTtlMs: TTL }] })
  try {
    const { client } = await TestClient.connect(wsUrl(server), { versions: [2] })
    const sub = await client.request({ type: 'subscribe', channel: 'c' }, 'subscribed')
    await server.publish('c', 1)
    clock.advance(TTL + 1) // the stream expires: the next append starts a new epoch at offset 1
    const { epoch } = await server.publish('c', 2)
    assert.notEqual(epoch, sub.epoch)
    await server.publish('c', 3)
    for (let i = 0; i < 3; i++) await client.next('pub')
    // Offset 1 was the highest sent before: a client that lost both of these is at offset 1 of
    // the old epoch at most, so the next one, offset 3 without an epoch, is a jump it recovers from.
    assert.deepEqual(pubs(client), ['["p","c",1,1]', `["p","c",2,1,"${epoch}"]`, `["p","c",3,2,"${epoch}"]`])
    const info = await client.request({ type: 'publish', channel: 'c', data: 4 }, 'ack')
    assert.equal(info.offset, 3)
    const own = await client.next('pub')
    assert.match(pubs(client)[3] ?? '', /^\["p","c",4,3,null,\{"client":"[^"]+","user":""\}\]$/)
    assert.deepEqual(own.info?.user, '')
    assert.equal(own.epoch, undefined)
    client.close()
  } finally {
    await server.close({ drainMs: 0 })
  }
})

test('sendsEpoch: after a change, the epoch rides until the offset is two past the highest sent before', () => {
  const sub = { epoch: 'e1', epochUntil: 0, sentTop: 3 } as Subscription // as after a reply at (e1, 3)
  const sent = ([epoch, offset]: [string, number]) => sendsEpoch(sub, epoch, offset)
  const steps: Array<[string, number]> = [['e1', 4], ['e2', 1], ['e2', 2], ['e2', 5], ['e2', 6], ['e2', 7], ['e1', 8], ['e1', 9], ['e1', 10]]
  // e2 starts with the highest offset sent at 4: it rides through offset 5. e1 again at 7 sent: through 8.
  assert.deepEqual(steps.map(sent), [false, true, true, true, false, false, true, false, false])
  assert.deepEqual([sub.epoch, sub.sentTop], ['e1', 10])
})
