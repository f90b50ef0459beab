/**
 * Limits, each with its documented code: oversize message → 1009, slow consumer → 4002 while
 * others keep receiving, rate → 4003, subscriptions → error 106, connections per IP / user →
 * 4005, binary → 4503.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import { setImmediate as turn } from 'node:timers/promises'
import { FakeClock } from '@minisocket/testkit'
import { RawSocket } from './raw-socket.js'
import { startServer, TestClient, until, within, wsUrl } from './helpers.js'

test('a message over maxMessageSize → close 1009; one at the limit is accepted', async () => {
  const server = await startServer({ limits: { maxMessageSize: 1024 } })
  try {
    const { client } = await TestClient.connect(wsUrl(server))
    const frame = (size: number): string => {
      const base = JSON.stringify({ type: 'rpc', id: 9, method: 'none', data: '' })
      return JSON.stringify({ type: 'rpc', id: 9, method: 'none', data: 'x'.repeat(size - base.length) })
    }
    assert.equal(frame(1024).length, 1024)
    client.send(frame(1024))
    assert.equal((await client.next('error')).code, 103, 'exactly at the limit: handled')
    client.send(frame(1025))
    assert.equal((await client.waitClosed()).code, 1009)
    assert.equal(server.stats().recentDisconnects[0]?.code, 1009)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('slow consumer: a socket that stops reading is closed with 4002; the other subscriber gets everything', async () => {
  const server = await startServer({ limits: { maxOutboundBuffer: 64 * 1024, messageRate: 1e6, messageBurst: 1e6 }, namespaces: [{ match: /^/, historySize: 0 }] })
  let slow: RawSocket | undefined
  try {
    const { client: fast } = await TestClient.connect(wsUrl(server))
    await fast.request({ type: 'subscribe', channel: 'feed' }, 'subscribed')
    slow = await RawSocket.open(server.port)
    slow.send({ type: 'connect', id: 1, versions: [1] })
    slow.send({ type: 'subscribe', id: 2, channel: 'feed' })
    await until(() => server.stats().subscriptions === 2, 3000, 'slow subscriber')
    slow.stopReading()

    let received = 0
    fast.ws.on('message', () => received++)
    const payload = 'p'.repeat(1024)
    let published = 0
    const slowGone = (): boolean => server.stats().recentDisconnects.some((d) => d.code === 4002)
    // Bounded: 64 MiB at most; kernel buffers on loopback absorb a few MiB before the server sees backpressure.
    const started = Date.now()
    while (!slowGone() && published < 64 * 1024 && Date.now() - started < 60_000) {
      for (let i = 0; i < 16; i++) await server.publish('feed', { n: ++published, payload })
      await turn()
    }
    // The close frame waits behind the full buffer, so the socket is only dropped after the
    // server's close grace (1 s): on a fast machine the loop above can end before that.
    const closed = await until(slowGone, 5_000, 'slow consumer closed').then(() => true, () => false)
    const diagnostics = JSON.stringify({ published, received, ms: Date.now() - started, slowBytesRead: slow.socket.bytesRead, stats: server.stats() })
    assert.ok(closed, `slow consumer closed with 4002: ${diagnostics}`)
    for (let i = 0; i < 10; i++) await server.publish('feed', { n: ++published, payload })
    await until(() => received >= published, 10_000, `fast subscriber got ${received}/${published}`)
    assert.equal(fast.closedWith, undefined)
    assert.equal(server.stats().subscriptions, 1)
    // The server dropped the socket: once the client reads again it reaches the end.
    const slowClosed = once(slow.socket, 'close')
    slow.socket.resume()
    await within(slowClosed, 10_000, 'slow socket closed')
  } finally {
    slow?.destroy()
    await server.close({ drainMs: 500 })
  }
})

test('inbound rate above the token bucket → 4003; the bucket refills with time', async () => {
  const clock = new FakeClock()
  const server = await startServer({ clock, limits: { messageRate: 10, messageBurst: 5 } })
  try {
    const { client } = await TestClient.connect(wsUrl(server))
    for (let i = 0; i < 4; i++) client.send({ type: 'ping' })
    for (let i = 0; i < 4; i++) await client.next('pong')
    clock.advance(400)
    for (let i = 0; i < 4; i++) client.send({ type: 'ping' })
    for (let i = 0; i < 4; i++) await client.next('pong')
    for (let i = 0; i < 2; i++) client.send({ type: 'ping' })
    const bye = await client.next('disconnect')
    assert.deepEqual([bye.code, bye.reconnect], [4003, true])
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('subscriptions per connection: over the limit → error 106, the connection stays', async () => {
  const server = await startServer({ limits: { maxSubscriptions: 2 } })
  try {
    const { client } = await TestClient.connect(wsUrl(server))
    await client.request({ type: 'subscribe', channel: 'a' }, 'subscribed')
    await client.request({ type: 'subscribe', channel: 'b' }, 'subscribed')
    assert.equal(await client.request({ type: 'subscribe', channel: 'c' }, 'subscribed').catch((e: { code?: number }) => e.code), 106)
    await client.request({ type: 'unsubscribe', channel: 'a' }, 'unsubscribed')
    assert.equal((await client.request({ type: 'subscribe', channel: 'c' }, 'subscribed')).channel, 'c')
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('connections per IP and per user → 4005; a freed slot can be used again', async () => {
  const server = await startServer({ limits: { maxConnectionsPerIp: 3, maxConnectionsPerUser: 1 }, authenticate: ({ token }) => ({ user: token ?? '' }) })
  try {
    const { client: u1 } = await TestClient.connect(wsUrl(server), { token: 'u' })
    const second = await TestClient.open(wsUrl(server))
    second.send({ type: 'connect', id: 1, versions: [1], token: 'u' })
    assert.equal((await second.next('disconnect')).code, 4005)
    await second.waitClosed()
    const { client: anon } = await TestClient.connect(wsUrl(server))
    const { client: anon2 } = await TestClient.connect(wsUrl(server))
    const fourth = await TestClient.open(wsUrl(server))
    assert.equal((await fourth.next('disconnect')).code, 4005)
    await fourth.waitClosed()
    anon2.close()
    await anon2.waitClosed()
    await until(() => server.stats().connections === 2)
    const { connected } = await TestClient.connect(wsUrl(server))
    assert.equal(connected.type, 'connected')
    u1.close()
    anon.close()
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('binary message → 4503', async () => {
  const server = await startServer()
  try {
    const { client } = await TestClient.connect(wsUrl(server))
    client.ws.send(Buffer.from([1, 2, 3]))
    assert.equal((await client.waitClosed()).code, 4503)
  } finally {
    await server.close({ drainMs: 500 })
  }
})
