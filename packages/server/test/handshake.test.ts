/**
 * Handshake: auth before the upgrade (header/query token → 401), auth in the connect frame
 * (→ 4500), Origin allowlist (→ 403), version negotiation (→ 4502), frames before connect (→ 4503).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AuthRequest, Logger } from '../src/index.js'
import { startServer, TestClient, wsUrl } from './helpers.js'

const SECRET = 'tok-3f9a1c-secret'

function capture(): { logger: Logger; text: () => string } {
  const lines: string[] = []
  const log = (msg: string, fields?: Record<string, unknown>): void => {
    lines.push(`${msg} ${JSON.stringify(fields ?? {})}`)
  }
  return { logger: { debug: log, info: log, warn: log, error: log }, text: () => lines.join('\n') }
}

test('token in the Authorization header or the query: checked before the upgrade, refusal → HTTP 401', async () => {
  const seen: Array<string | undefined> = []
  const { logger, text } = capture()
  const server = await startServer({
    logger,
    authenticate: ({ token }: AuthRequest) => {
      seen.push(token)
      return token === SECRET ? { user: 'alice' } : null
    },
  })
  try {
    await assert.rejects(TestClient.open(wsUrl(server), { headers: { authorization: 'Bearer wrong' } }), (e: { status?: number }) => e.status === 401)
    await assert.rejects(TestClient.open(wsUrl(server, 'token=wrong')), (e: { status?: number }) => e.status === 401)
    const { connected } = await TestClient.connect(wsUrl(server), {}, { headers: { authorization: `Bearer ${SECRET}` } })
    assert.equal(connected.user, 'alice')
    const viaQuery = await TestClient.connect(wsUrl(server, `token=${SECRET}`))
    assert.equal(viaQuery.connected.user, 'alice')
    assert.deepEqual(seen, ['wrong', 'wrong', SECRET, SECRET], 'one call per upgrade, none again for the connect frame')
    assert.equal(text().includes(SECRET), false, 'logs never contain tokens')
    assert.match(text(), /unauthorized/)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('token only in the connect frame: refusal or a throwing hook → disconnect + close 4500', async () => {
  const server = await startServer({
    authenticate: ({ token }) => {
      if (token === 'boom') throw new Error('db down')
      return token === SECRET ? { user: 'bob', info: { nick: 'b' } } : null
    },
  })
  try {
    for (const token of ['nope', 'boom', undefined]) {
      const client = await TestClient.open(wsUrl(server))
      client.send({ type: 'connect', id: 1, versions: [1], ...(token === undefined ? {} : { token }) })
      const bye = await client.next('disconnect')
      assert.deepEqual([bye.code, bye.reconnect], [4500, false])
      assert.equal((await client.waitClosed()).code, 4500)
    }
    const { connected } = await TestClient.connect(wsUrl(server), { token: SECRET })
    assert.equal(connected.user, 'bob')
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('Origin allowlist: other origins (suffix tricks included) → 403 before the upgrade; no Origin (non-browser) allowed', async () => {
  const server = await startServer({ allowedOrigins: ['https://app.example.com'] })
  try {
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'http://app.example.com']) {
      await assert.rejects(TestClient.open(wsUrl(server), { origin }), (e: { status?: number }) => e.status === 403, origin)
    }
    assert.equal((await TestClient.connect(wsUrl(server), {}, { origin: 'https://app.example.com' })).connected.version, 1)
    assert.equal((await TestClient.connect(wsUrl(server))).connected.version, 1)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('version negotiation: the highest common version; none → 4502 naming the server versions', async () => {
  const server = await startServer()
  try {
    const { connected } = await TestClient.connect(wsUrl(server), { versions: [7, 1, 3] })
    assert.equal(connected.version, 1)
    const both = await TestClient.connect(wsUrl(server), { versions: [1, 2] })
    assert.equal(both.connected.version, 2)
    const client = await TestClient.open(wsUrl(server))
    client.send({ type: 'connect', id: 5, versions: [3, 4] })
    const bye = await client.next('disconnect')
    assert.equal(bye.code, 4502)
    assert.match(bye.reason, /server speaks 1,2/)
    assert.equal((await client.waitClosed()).code, 4502)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('before connect: any other frame → 4503; a malformed connect → error 100 and the handshake goes on', async () => {
  const server = await startServer()
  try {
    const early = await TestClient.open(wsUrl(server))
    early.send({ type: 'subscribe', id: 1, channel: 'x' })
    assert.equal((await early.waitClosed()).code, 4503)

    const client = await TestClient.open(wsUrl(server))
    client.send({ type: 'connect', id: 3, versions: 'one' })
    const err = await client.next('error')
    assert.deepEqual([err.id, err.code], [3, 100])
    const connected = await client.request({ type: 'connect', versions: [1] }, 'connected')
    assert.equal(connected.resumed, false)
    const again = await client.request({ type: 'connect', versions: [1] }, 'connected').catch((e: { code?: number }) => e.code)
    assert.equal(again, 100, 'a second connect is a bad request')
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('connected carries the negotiated limits and ids; the request id is echoed', async () => {
  const server = await startServer({ pingIntervalMs: 7000, pongTimeoutMs: 3000, resumeWindowMs: 12_000, limits: { maxMessageSize: 4096 } })
  try {
    const client = await TestClient.open(wsUrl(server))
    client.send({ type: 'connect', id: 42, versions: [1] })
    const c = await client.next('connected')
    assert.equal(c.id, 42)
    assert.deepEqual([c.ping, c.pongTimeout, c.resumeWindow, c.maxMessageSize, c.user], [7000, 3000, 12_000, 4096, ''])
    assert.ok(c.session.length >= 22, 'session id carries at least 128 bits')
    assert.notEqual(c.client, c.session)
    assert.ok(Math.abs(c.time - Date.now()) < 60_000)
  } finally {
    await server.close({ drainMs: 500 })
  }
})
