/**
 * App lifecycle and network on the emulator, against the real server. One FakeClock drives the
 * server, the emulated app and the client, so "30 s in the background" is 30 s of injected time
 * for all three (the server's resume window and history TTL, the emulator's 5 s background cut,
 * the client's timers) while the sockets are real and the test takes well under a second.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createClient as createMyClient } from '../../src/entries/my.js'
import { createClient } from '../../src/entries/wx.js'
import type { Client, SubscribedEvent } from '../../src/index.js'
import { emulate, sleep, startServer, until, uncaughtErrors } from './helpers.js'

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

function watch(client: Client, channel: string) {
  const seqs: number[] = []
  const subscribed: SubscribedEvent[] = []
  client.subscribe(channel, {
    publication: (p) => seqs.push((p.data as { seq: number }).seq),
    subscribed: (s) => subscribed.push(s),
  })
  return { seqs, subscribed }
}

test('hidden 30 s while the server publishes: suspended (user away), then on show every missed publication once, in order, recovered', async () => {
  const clock = new FakeClock()
  // resumeWindow 60 s > the 30 s hidden: the server must still hold the session on show.
  const server = await startServer({ clock, resumeWindowMs: 60_000, namespaces: [{ match: 'feed:*', historySize: 100, presence: true }] })
  const mp = emulate('wx', { clock })
  const client = createClient({ url: server.url, api: mp.api, clock })
  try {
    const seen = watch(client, 'feed:1')
    client.connect()
    await until('subscribed', () => seen.subscribed.length === 1)
    for (let seq = 1; seq <= 5; seq++) await server.publish('feed:1', { seq })
    await until('5 live', () => seen.seqs.length === 5)
    const session = client.connection?.session

    mp.hide()
    assert.equal(client.state, 'suspended', 'onAppHide suspends the client at once')
    await until('the server sees the user away', () => server.stats().connections === 0)
    const members = await server.presence('feed:1')
    assert.deepEqual(members.map((m) => m.state), ['away'])

    for (let second = 1; second <= 30; second++) {
      clock.advance(1_000)
      await server.publish('feed:1', { seq: 5 + second })
    }
    assert.equal(mp.appState, 'suspended', 'the emulator cut the app after 5 s in the background')
    assert.equal(mp.liveSockets, 0)
    assert.equal(mp.createdSockets, 1, 'no reconnect attempt while hidden')

    mp.show()
    // No clock.advance from here: a backoff timer would never fire, so connecting now proves "at once".
    assert.equal(client.state, 'connecting')
    await until('resubscribed', () => seen.subscribed.length === 2)
    for (let seq = 36; seq <= 40; seq++) await server.publish('feed:1', { seq })
    await until('all 40', () => seen.seqs.length >= 40)
    await sleep(30) // a duplicate would show up here

    assert.deepEqual(seen.seqs, range(1, 40))
    assert.deepEqual([seen.subscribed[1]?.recovered, seen.subscribed[1]?.reload], [true, false])
    assert.equal(client.connection?.resumed, true, 'the server resumed the held session')
    assert.equal(client.connection?.session, session)
    assert.deepEqual((await server.presence('feed:1')).map((m) => m.state), ['online'])
    assert.equal(mp.createdSockets, 2)
    assert.deepEqual(uncaughtErrors.splice(0), [])
  } finally {
    client.close()
    mp.dispose()
    await server.close({ drainMs: 0 })
  }
})

test("network 'none': the client stops retrying; when the network returns it reconnects at once and recovers", async () => {
  const clock = new FakeClock()
  const server = await startServer({ clock, namespaces: [{ match: 'feed:*', historySize: 100 }] })
  const mp = emulate('wx', { clock })
  const client = createClient({ url: server.url, api: mp.api, clock, backoff: { min: 100, max: 1_000 } })
  try {
    const seen = watch(client, 'feed:2')
    client.connect()
    await until('subscribed', () => seen.subscribed.length === 1)
    await server.publish('feed:2', { seq: 1 })
    await until('1 live', () => seen.seqs.length === 1)

    mp.setNetwork('none')
    assert.equal(client.state, 'disconnected')
    for (let seq = 2; seq <= 11; seq++) await server.publish('feed:2', { seq })
    clock.advance(120_000) // two minutes of backoff time: no attempt may happen offline
    await sleep(20)
    assert.equal(mp.createdSockets, 1, 'no connect attempt while offline')
    assert.equal(client.state, 'disconnected')

    mp.setNetwork('4g')
    assert.equal(client.state, 'connecting', 'the network came back: connect now, no backoff')
    await until('resubscribed', () => seen.subscribed.length === 2)
    await until('all 11', () => seen.seqs.length >= 11)
    await sleep(30)
    assert.deepEqual(seen.seqs, range(1, 11))
    assert.equal(seen.subscribed[1]?.recovered, true)
    assert.equal(mp.createdSockets, 2)
  } finally {
    client.close()
    mp.dispose()
    await server.close({ drainMs: 0 })
  }
})

test('Alipay: a client created while offline waits for the network instead of retrying (getNetworkType at start)', async () => {
  const clock = new FakeClock()
  const server = await startServer({ clock })
  const mp = emulate('my', { clock, network: 'none' })
  const client = createMyClient({ url: server.url, api: mp.api, clock, backoff: { min: 100, max: 1_000 } })
  try {
    client.connect()
    await until('the first attempt failed', () => client.state === 'disconnected')
    await sleep(10) // getNetworkType answered
    clock.advance(60_000)
    await sleep(10)
    assert.equal(mp.createdSockets, 1, 'one attempt (made before the network status was known), then none')
    mp.setNetwork('wifi')
    await until('connected', () => client.state === 'connected')
  } finally {
    client.close()
    mp.dispose()
    await server.close({ drainMs: 0 })
  }
})
