import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createFaultProxy, frameMatchers, type FaultProxy } from '../src/fault-proxy.js'
import { openClient, opened, startServer, until, sleep, within, type ServerSide } from './ws-helpers.js'

async function withProxy(fn: (server: ServerSide, proxy: FaultProxy) => Promise<void>, echo = true): Promise<void> {
  const server = await startServer({ echo })
  const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: server.port } })
  try {
    await fn(server, proxy)
  } finally {
    await proxy.close()
    await server.close()
  }
}

test('pass-through: small, 16-bit and 64-bit length messages both ways, counted per direction', () =>
  withProxy(async (server, proxy) => {
    const c = openClient(proxy.url)
    await opened(c)
    const sizes = [5, 300, 70_000]
    for (const n of sizes) c.ws.send('x'.repeat(n))
    await until(() => c.messages.length === 3, 5000, 'echoes')
    assert.deepEqual(c.messages.map((m) => m.length), sizes)
    const k = proxy.counters()
    assert.equal(k.connections, 1)
    assert.equal(k.open, 1)
    assert.equal(k.toServer.frames, 3)
    assert.equal(k.toClient.frames, 3)
    assert.ok(k.toServer.bytes > 70_305, `toServer bytes ${k.toServer.bytes}`)
    assert.ok(k.toClient.bytes > 70_305, `toClient bytes ${k.toClient.bytes}`)
    assert.equal(proxy.connections()[0]?.url, '/')
    assert.equal(server.received[0]?.length, 3)
  }))

test('cut: the client sees 1006 (no close frame) and the server loses the socket too', () =>
  withProxy(async (server, proxy) => {
    const c = openClient(proxy.url)
    await opened(c)
    assert.equal(proxy.cut(), 1)
    assert.equal((await within(c.closed)).code, 1006)
    await until(() => server.closes.length === 1, 5000, 'server close')
    assert.equal(server.closes[0]?.code, 1006)
    assert.ok(proxy.events().some((e) => e.kind === 'cut'))
    await until(() => proxy.counters().open === 0, 5000, 'connection released')
  }))

test('closeWithCode: the client sees that code and reason; the server gets the same close frame', () =>
  withProxy(async (server, proxy) => {
    const c = openClient(proxy.url)
    await opened(c)
    assert.equal(proxy.closeWithCode(3001, 'shutdown'), 1)
    assert.deepEqual(await within(c.closed), { code: 3001, reason: 'shutdown' })
    await until(() => server.closes.length === 1, 5000, 'server close')
    assert.equal(server.closes[0]?.code, 3001)
  }))

test('cut or close of one connection leaves the others open', () =>
  withProxy(async (_server, proxy) => {
    const a = openClient(proxy.url)
    const b = openClient(proxy.url)
    await Promise.all([opened(a), opened(b)])
    const [first] = proxy.connections()
    assert.equal(proxy.cut(first!.id), 1)
    await within(a.closed)
    b.ws.send('still here')
    await until(() => b.messages.includes('still here'), 5000, 'echo on b')
    assert.equal(proxy.cut(9999), 0)
  }))

test('suppress app-level pings: the ping never arrives, later frames do', () =>
  withProxy(async (server, proxy) => {
    const rule = proxy.suppress('toClient', frameMatchers.appPing)
    const c = openClient(proxy.url)
    await opened(c)
    await until(() => server.sockets.length === 1)
    server.sockets[0]!.send(JSON.stringify({ type: 'ping' }))
    server.sockets[0]!.send(JSON.stringify({ type: 'pub', offset: 1 }))
    await until(() => c.messages.length === 1, 5000, 'pub')
    await sleep(50)
    assert.deepEqual(c.messages, ['{"type":"pub","offset":1}'])
    assert.equal(rule.hits, 1)
    assert.equal(proxy.counters().toClient.dropped, 1)
    rule.remove()
    server.sockets[0]!.send(JSON.stringify({ type: 'ping' }))
    await until(() => c.messages.length === 2, 5000, 'ping after removal')
  }, false))

test('suppress app-level pongs toward the server', () =>
  withProxy(async (server, proxy) => {
    proxy.suppress('toServer', frameMatchers.appPong)
    const c = openClient(proxy.url)
    await opened(c)
    c.ws.send('{"type":"pong"}')
    c.ws.send('{"type":"sub","channel":"a"}')
    await until(() => server.received[0]?.length === 1, 5000, 'sub')
    assert.deepEqual(server.received[0], ['{"type":"sub","channel":"a"}'])
  }, false))

test('suppress RFC 6455 pings and pongs (opcodes 0x9 / 0xA)', () =>
  withProxy(async (server, proxy) => {
    const pingRule = proxy.suppress('toClient', frameMatchers.wsPing, 1)
    const pongRule = proxy.suppress('toServer', frameMatchers.wsPong)
    const c = openClient(proxy.url)
    await opened(c)
    await until(() => server.sockets.length === 1)
    server.sockets[0]!.ping()
    server.sockets[0]!.ping() // `times: 1`: this one passes, and its auto-pong is then dropped
    await until(() => c.pings === 1, 5000, 'second ping')
    assert.equal(pingRule.hits, 1)
    await until(() => pongRule.hits === 1, 5000, 'pong dropped')
    assert.equal(server.pongs, 0)
  }, false))

test('replace: the subscribe reply is rewritten to recovered:false; null removes a frame', () =>
  withProxy(async (server, proxy) => {
    proxy.addRule({
      direction: 'toClient',
      match: frameMatchers.jsonType('subscribed'),
      action: { replaceWith: (f) => ({ opcode: 'text', payload: JSON.stringify({ ...(f.json() as object), recovered: false }) }) },
    })
    proxy.addRule({ direction: 'toClient', match: (f) => f.text() === 'gone', action: { replaceWith: () => null } })
    const c = openClient(proxy.url)
    await opened(c)
    await until(() => server.sockets.length === 1)
    server.sockets[0]!.send('gone')
    server.sockets[0]!.send(JSON.stringify({ type: 'subscribed', recovered: true }))
    await until(() => c.messages.length === 1, 5000, 'reply')
    assert.deepEqual(JSON.parse(c.messages[0]!), { type: 'subscribed', recovered: false })
    assert.equal(proxy.counters().toClient.replaced, 2)
  }, false))

test('inject: frames reach the client (unmasked) and the server (masked, or ws would close 1002)', () =>
  withProxy(async (server, proxy) => {
    const c = openClient(proxy.url)
    await opened(c)
    assert.equal(proxy.inject('toClient', { opcode: 'text', payload: '{"type":"hello"}' }), 1)
    assert.equal(proxy.inject('toServer', { opcode: 'text', payload: 'from proxy' }), 1)
    await until(() => c.messages.length === 1 && server.received[0]?.length === 1, 5000, 'injected frames')
    assert.equal(c.messages[0], '{"type":"hello"}')
    assert.equal(server.received[0]![0], 'from proxy')
    assert.equal(c.ws.readyState, c.ws.OPEN)
    assert.equal(proxy.counters().toServer.injected, 1)
  }, false))

test('fragmentation: a message in 3 fragments is matched whole and forwarded fragment by fragment', () =>
  withProxy(async (server, proxy) => {
    const seen: number[] = []
    proxy.addRule({ direction: 'toServer', match: (f) => (seen.push(f.fragments), false), action: 'drop' })
    const c = openClient(proxy.url)
    await opened(c)
    c.ws.send('{"type":', { fin: false })
    c.ws.send('"chat",', { fin: false })
    c.ws.send('"n":1}', { fin: true })
    await until(() => server.received[0]?.length === 1, 5000, 'message')
    assert.equal(server.received[0]![0], '{"type":"chat","n":1}')
    assert.deepEqual(seen, [3])
    assert.equal(proxy.counters().toServer.frames, 3)
  }, false))

test('fragmentation: a rule can drop a whole fragmented message, with a ping interleaved', () =>
  withProxy(async (server, proxy) => {
    proxy.suppress('toServer', frameMatchers.jsonType('chat'))
    const c = openClient(proxy.url)
    await opened(c)
    c.ws.send('{"type":', { fin: false })
    c.ws.ping()
    c.ws.send('"chat"}', { fin: true })
    c.ws.send('{"type":"other"}')
    await until(() => server.received[0]?.length === 1, 5000, 'other')
    assert.deepEqual(server.received[0], ['{"type":"other"}'])
    assert.equal(proxy.counters().toServer.dropped, 1)
  }, false))

test('rule actions cut and close act on the matching frame; `connection` and `times` limit them', () =>
  withProxy(async (_server, proxy) => {
    const a = openClient(proxy.url)
    await opened(a)
    const b = openClient(proxy.url)
    await opened(b)
    const bId = proxy.connections()[1]!.id
    proxy.addRule({ direction: 'toServer', connection: bId, match: (f) => f.text() === 'bye', action: { close: 4000, reason: 'rule' } })
    proxy.addRule({ direction: 'toServer', match: (f) => f.text() === 'bye', action: 'cut', times: 1 })
    b.ws.send('bye')
    assert.equal((await within(b.closed)).code, 4000)
    a.ws.send('bye')
    assert.equal((await within(a.closed)).code, 1006)
    const again = openClient(proxy.url)
    await opened(again)
    again.ws.send('bye') // the cut rule is spent
    await until(() => again.messages.includes('bye'), 5000, 'echo after times exhausted')
    again.ws.close()
  }))

test('a refused upgrade (HTTP 401) goes through raw: the client sees the status', async () => {
  const server = await startServer({ verifyClient: () => false })
  const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: server.port } })
  try {
    const c = openClient(proxy.url)
    const status = await within(new Promise<number>((resolve) => c.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))))
    assert.equal(status, 401)
    assert.ok(proxy.events().some((e) => e.kind === 'upgrade' && e.status === 401))
    c.ws.terminate()
  } finally {
    await proxy.close()
    await server.close()
  }
})

test('bad options and arguments get clear errors', async () => {
  await assert.rejects(createFaultProxy({ target: { host: '127.0.0.1', port: 0 } }), /target must be/)
  await withProxy(async (_s, proxy) => {
    assert.throws(() => proxy.setDelay(-1), /delayMs must be/)
    assert.throws(() => proxy.setThrottle(0), /bytesPerSecond must be/)
    assert.throws(() => proxy.refuseNext(Number.NaN), /refuseNext count/)
    assert.throws(() => proxy.addRule({ match: undefined as never, action: 'drop' }), /rule.match must be a function/)
  })
})
