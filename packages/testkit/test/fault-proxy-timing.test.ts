// Delay, throttle, pause and refuse. Bounds here are loose lower bounds the token bucket and the
// delay queue guarantee by construction (never upper bounds on speed): machines differ.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { test } from 'node:test'
import { FakeClock } from '../src/fake-clock.js'
import { createFaultProxy, type FaultProxy } from '../src/fault-proxy.js'
import { seededRandom } from '../src/seeded-rng.js'
import { openClient, opened, rawUpgrade, sleep, startServer, until, within, type ServerSide } from './ws-helpers.js'

async function withProxy(fn: (server: ServerSide, proxy: FaultProxy) => Promise<void>, echo = false): Promise<void> {
  const server = await startServer({ echo })
  const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: server.port }, seed: 7 })
  try {
    await fn(server, proxy)
  } finally {
    await proxy.close()
    await server.close()
  }
}

test('throttle toClient: a 4 KB message arrives in many chunks, spread over time', () =>
  withProxy(async (server, proxy) => {
    const raw = await rawUpgrade(proxy.port)
    try {
      proxy.setThrottle(8000, 'toClient')
      await until(() => server.sockets.length === 1)
      const started = Date.now()
      server.sockets[0]!.send('y'.repeat(4000))
      await until(() => raw.chunks.reduce((n, c) => n + c.bytes, 0) >= 4004, 10_000, 'all bytes')
      // 50 ms buckets at 8000 B/s = 400 B per write, so ≥ 10 chunks; the first bucket is free,
      // so at least (4004 - 400) / 8000 s ≈ 450 ms must pass. Assert half of each.
      assert.ok(raw.chunks.length >= 5, `chunks: ${raw.chunks.length}`)
      assert.ok(raw.chunks.at(-1)!.at - started >= 225, `elapsed ${raw.chunks.at(-1)!.at - started} ms`)
    } finally {
      raw.socket.destroy()
    }
  }))

test('throttle toServer slows the client side; setThrottle(null) lifts it', () =>
  withProxy(async (server, proxy) => {
    const c = openClient(proxy.url)
    await opened(c)
    proxy.setThrottle(4000, 'toServer')
    const started = Date.now()
    c.ws.send('z'.repeat(2000))
    await until(() => server.received[0]?.length === 1, 10_000, 'throttled message')
    assert.ok(Date.now() - started >= 200, `elapsed ${Date.now() - started} ms`)
    proxy.setThrottle(null)
    c.ws.send('fast')
    await until(() => server.received[0]?.length === 2, 5000, 'unthrottled message')
  }))

test('delay + jitter: round trip at least the delay, and order is kept', () =>
  withProxy(async (_server, proxy) => {
    const c = openClient(proxy.url)
    await opened(c)
    proxy.setDelay(100, 80, 'toServer')
    const started = Date.now()
    for (let i = 0; i < 20; i++) c.ws.send(String(i))
    await until(() => c.messages.length === 20, 10_000, '20 echoes')
    assert.ok(Date.now() - started >= 100, 'delayed by at least delayMs')
    assert.deepEqual(c.messages, Array.from({ length: 20 }, (_, i) => String(i)))
    proxy.setDelay(0)
    c.ws.send('now')
    await until(() => c.messages.length === 21, 5000, 'undelayed echo')
  }, true))

test('pause holds bytes (a partition) and resume releases them in order', () =>
  withProxy(async (server, proxy) => {
    const c = openClient(proxy.url)
    await opened(c)
    await until(() => server.sockets.length === 1)
    proxy.pause({ direction: 'toClient' })
    server.sockets[0]!.send('a')
    server.sockets[0]!.send('b')
    await sleep(150)
    assert.deepEqual(c.messages, [])
    assert.equal(c.ws.readyState, c.ws.OPEN)
    proxy.resume()
    await until(() => c.messages.length === 2, 5000, 'released')
    assert.deepEqual(c.messages, ['a', 'b'])
  }))

test('pause of one connection leaves the others flowing; a global pause also holds new connections', () =>
  withProxy(async (_server, proxy) => {
    const a = openClient(proxy.url)
    await opened(a)
    const b = openClient(proxy.url)
    await opened(b)
    proxy.pause({ connection: proxy.connections()[0]!.id })
    a.ws.send('to a')
    b.ws.send('to b')
    await until(() => b.messages.length === 1, 5000, 'b echo')
    await sleep(100)
    assert.deepEqual(a.messages, [])
    proxy.resume({ connection: proxy.connections()[0]!.id })
    await until(() => a.messages.length === 1, 5000, 'a echo')

    proxy.pause()
    const late = openClient(proxy.url)
    await sleep(150)
    assert.equal(late.ws.readyState, late.ws.CONNECTING, 'upgrade held while partitioned')
    proxy.resume()
    await opened(late)
    late.ws.close()
  }, true))

test('refuseNext(2): two connects are destroyed, the third goes through', () =>
  withProxy(async (_server, proxy) => {
    proxy.refuseNext(2)
    for (let i = 0; i < 2; i++) {
      const c = openClient(proxy.url)
      assert.equal((await within(c.closed)).code, 1006)
    }
    const ok = openClient(proxy.url)
    await opened(ok)
    assert.equal(proxy.counters().refused, 2)
    assert.equal(proxy.counters().connections, 3)
    ok.ws.close()
  }))

test('refuseNext reset mode sends RST; hang mode accepts and never forwards until cut', () =>
  withProxy(async (server, proxy) => {
    proxy.refuseNext(1, 'reset')
    const s = connect({ host: '127.0.0.1', port: proxy.port })
    const [err] = (await within(once(s, 'error'))) as [NodeJS.ErrnoException]
    assert.equal(err.code, 'ECONNRESET')
    proxy.refuseNext(1, 'hang')
    const c = openClient(proxy.url)
    await sleep(150)
    assert.equal(c.ws.readyState, c.ws.CONNECTING)
    assert.equal(server.sockets.length, 0)
    proxy.cut()
    assert.equal((await within(c.closed)).code, 1006)
  }))

test('close() cuts open connections and stops listening', async () => {
  const server = await startServer()
  const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: server.port } })
  try {
    const c = openClient(proxy.url)
    await opened(c)
    await within(proxy.close(), 5000, 'proxy close')
    assert.equal((await within(c.closed)).code, 1006)
    const s = connect({ host: '127.0.0.1', port: proxy.port })
    const [err] = (await within(once(s, 'error'))) as [NodeJS.ErrnoException]
    assert.equal(err.code, 'ECONNREFUSED')
  } finally {
    await server.close()
  }
})

test('an unreachable target: the client connection is cut, the proxy keeps serving', async () => {
  const server = await startServer()
  const deadPort = server.port
  await server.close()
  const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: deadPort } })
  try {
    const c = openClient(proxy.url)
    assert.equal((await within(c.closed)).code, 1006)
    assert.equal(proxy.counters().open, 0)
  } finally {
    await proxy.close()
  }
})

test('on a FakeClock the seeded jitter is exact: the frame is released at the tick the seed dictates', async () => {
  const server = await startServer()
  const clock = new FakeClock(0)
  const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: server.port }, seed: 99, clock })
  try {
    const c = openClient(proxy.url)
    await opened(c)
    proxy.setDelay(500, 1000, 'toServer')
    const due = 500 + seededRandom(99)() * 1000 // the first draw of seed 99 goes to this frame
    c.ws.send('timed')
    await until(() => proxy.counters().toServer.frames === 1, 5000, 'frame at the proxy')
    clock.advance(Math.ceil(due) - 1)
    await sleep(50)
    assert.deepEqual(server.received[0], [], 'held until its jittered time')
    clock.advance(1)
    await until(() => server.received[0]?.length === 1, 5000, 'released frame')
  } finally {
    await proxy.close()
    await server.close()
  }
})
