/**
 * Connection and session lifecycle on a FakeClock: heartbeats (ping, pong, 4001), handshake
 * timeout (4006), token expiry (4004), resume within the window (presence away → online without
 * leave/join), release after the window (leave), and a deliberate close (leave at once).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { startServer, TestClient, until, wsUrl } from './helpers.js'

const HEARTBEAT = { pingIntervalMs: 1000, pongTimeoutMs: 500 }
/** Heartbeats out of the way of tests that move the clock by whole resume windows. */
const QUIET = { pingIntervalMs: 600_000, pongTimeoutMs: 10_000 }

/** A round trip through the server: everything the client sent before has been handled. */
async function sync(client: TestClient): Promise<void> {
  client.send({ type: 'ping' })
  await client.next('pong')
}

test('heartbeat: ping every interval; a pong keeps the link; no pong → 4001', async () => {
  const clock = new FakeClock()
  const server = await startServer({ clock, ...HEARTBEAT })
  try {
    const { client, connected } = await TestClient.connect(wsUrl(server))
    assert.deepEqual([connected.ping, connected.pongTimeout], [1000, 500])
    clock.advance(999)
    await sync(client)
    assert.equal(client.frames.filter((f) => f.type === 'ping').length, 0)
    clock.advance(1)
    await client.next('ping')
    client.send({ type: 'pong' })
    await sync(client)
    clock.advance(500)
    await sync(client)
    assert.equal(client.closedWith, undefined, 'answered ping: still open after the pong timeout')
    clock.advance(500)
    await client.next('ping')
    clock.advance(499)
    await sync(client)
    clock.advance(1)
    const bye = await client.next('disconnect')
    assert.deepEqual([bye.code, bye.reconnect], [4001, true])
    assert.equal((await client.waitClosed()).code, 4001)
    await until(() => server.stats().connections === 0, 3000, 'dead peer freed')
    assert.equal(server.stats().recentDisconnects[0]?.code, 4001)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('handshake timeout: no connect frame → 4006', async () => {
  const clock = new FakeClock()
  const server = await startServer({ clock, limits: { handshakeTimeoutMs: 2000 } })
  try {
    const client = await TestClient.open(wsUrl(server))
    await until(() => server.stats().connections === 1)
    clock.advance(2000)
    assert.equal((await client.next('disconnect')).code, 4006)
    assert.equal((await client.waitClosed()).code, 4006)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('token expiry during the connection → 4004 (retryable)', async () => {
  const clock = new FakeClock()
  const server = await startServer({ clock, authenticate: ({ token }) => (token === 'ok' ? { user: 'u1', expiresAt: clock.now() + 5000 } : null) })
  try {
    const { client, connected } = await TestClient.connect(wsUrl(server), { token: 'ok' })
    assert.equal(connected.user, 'u1')
    clock.advance(4999)
    await sync(client)
    clock.advance(1)
    const bye = await client.next('disconnect')
    assert.deepEqual([bye.code, bye.reconnect], [4004, true])
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('resume: a dropped session is away for the window, resumes online without leave; close 1000 leaves at once', async () => {
  const clock = new FakeClock()
  const server = await startServer({ clock, ...QUIET, resumeWindowMs: 10_000, namespaces: [{ match: 'room:*', presence: true }] })
  try {
    const { client: watcher } = await TestClient.connect(wsUrl(server))
    await watcher.request({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
    const { client: a, connected } = await TestClient.connect(wsUrl(server), { info: { nick: 'ann' } })
    await a.request({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
    const joined = await watcher.take((f) => f.type === 'join' && f.member.client === connected.client)
    assert.deepEqual(joined.type === 'join' && joined.member, { client: connected.client, user: '', state: 'online', info: { nick: 'ann' } })

    a.terminate()
    const away = await watcher.take((f) => f.type === 'join' && f.member.client === connected.client)
    assert.equal(away.type === 'join' && away.member.state, 'away')
    const members = await server.presence('room:1')
    assert.equal(members.find((m) => m.client === connected.client)?.state, 'away')

    clock.advance(9_999)
    const { client: a2, connected: resumed } = await TestClient.connect(wsUrl(server), { session: connected.session })
    assert.equal(resumed.resumed, true)
    assert.equal(resumed.client, connected.client)
    assert.equal(resumed.session, connected.session)
    const online = await watcher.take((f) => f.type === 'join' && f.member.client === connected.client)
    assert.equal(online.type === 'join' && online.member.state, 'online')
    // Resubscribing does not announce the member again.
    await a2.request({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
    clock.advance(5_000)
    await sync(watcher)
    assert.deepEqual(watcher.frames.filter((f) => (f.type === 'leave' || f.type === 'join') && f.member.client === connected.client), [], 'no leave/join flap')

    a2.close(1000)
    const left = await watcher.next('leave')
    assert.equal(left.member.client, connected.client)
    assert.equal((await server.presence('room:1')).some((m) => m.client === connected.client), false)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('not resumed within the window: leave after resumeWindow; a stale session id starts a new session', async () => {
  const clock = new FakeClock()
  const server = await startServer({ clock, ...QUIET, resumeWindowMs: 10_000, namespaces: [{ match: 'room:*', presence: true }] })
  try {
    const { client: watcher } = await TestClient.connect(wsUrl(server))
    await watcher.request({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
    const { client: a, connected } = await TestClient.connect(wsUrl(server))
    await a.request({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
    a.close(4008)
    await watcher.take((f) => f.type === 'join' && f.member.state === 'away')
    clock.advance(9_999)
    await sync(watcher)
    assert.equal(watcher.frames.filter((f) => f.type === 'leave').length, 0)
    clock.advance(1)
    assert.equal((await watcher.next('leave')).member.client, connected.client)
    const { connected: fresh } = await TestClient.connect(wsUrl(server), { session: connected.session })
    assert.equal(fresh.resumed, false)
    assert.notEqual(fresh.session, connected.session)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('a session resumes only for the same user', async () => {
  const server = await startServer({ authenticate: ({ token }) => (token === undefined ? null : { user: token }) })
  try {
    const { client: a, connected } = await TestClient.connect(wsUrl(server), { token: 'alice' })
    a.terminate()
    await until(() => server.stats().connections === 0)
    const { connected: other } = await TestClient.connect(wsUrl(server), { token: 'mallory', session: connected.session })
    assert.equal(other.resumed, false)
    const { connected: same } = await TestClient.connect(wsUrl(server), { token: 'alice', session: connected.session })
    assert.equal(same.resumed, true)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('state frame: away/online upserts presence on all the connection’s channels', async () => {
  const server = await startServer({ namespaces: [{ match: /^/, presence: true }] })
  try {
    const { client, connected } = await TestClient.connect(wsUrl(server))
    await client.request({ type: 'subscribe', channel: 'p1' }, 'subscribed')
    await client.request({ type: 'subscribe', channel: 'p2' }, 'subscribed')
    await client.next('join')
    await client.next('join')
    assert.equal((await client.request({ type: 'state', state: 'away' }, 'state')).state, 'away')
    const upserts = [await client.next('join'), await client.next('join')]
    assert.deepEqual(upserts.map((j) => `${j.channel}:${j.member.state}`).sort(), ['p1:away', 'p2:away'])
    const list = await client.request({ type: 'presence', channel: 'p2' }, 'presence')
    assert.deepEqual(list.members, [{ client: connected.client, user: '', state: 'away' }])
  } finally {
    await server.close({ drainMs: 500 })
  }
})
