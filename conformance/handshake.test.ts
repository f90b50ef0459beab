/** Conformance: handshake, version negotiation, auth and origin checks (docs/protocol.md). */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { AuthRequest, Identity } from '@minisocket/server'
import { upgradeStatus, withServer } from './harness.js'

const auth = ({ token }: AuthRequest): Identity | null => (token === 'good-ann' ? { user: 'ann', info: { name: 'Ann' } } : null)

describe('handshake', () => {
  test('connect → connected with the session, client, heartbeat and limits', async () => {
    await withServer({ pingIntervalMs: 4000, pongTimeoutMs: 2000, resumeWindowMs: 7000 }, async (t) => {
      const { hello } = await t.connected()
      assert.equal(hello.version, 1)
      assert.equal(hello.id, 1)
      assert.ok(hello.session.length > 0 && hello.client.length > 0)
      assert.equal(hello.user, '')
      assert.ok(Math.abs(hello.time - Date.now()) < 60_000, 'server time is wall time')
      assert.deepEqual([hello.ping, hello.pongTimeout, hello.resumeWindow, hello.maxMessageSize, hello.resumed], [4000, 2000, 7000, 65536, false])
      const other = await t.connected()
      assert.notEqual(other.hello.session, hello.session)
      assert.notEqual(other.hello.client, hello.client)
    })
  })

  test('the highest common version is chosen', async () => {
    await withServer({}, async (t) => {
      const { hello } = await t.connected({ connect: { versions: [1, 7, 9] } })
      assert.equal(hello.version, 1)
      const both = await t.connected({ connect: { versions: [2, 1] } })
      assert.equal(both.hello.version, 2)
    })
  })

  test('no version in common → disconnect 4502 (reason names the server versions), close 4502', async () => {
    await withServer({}, async (t) => {
      const c = await t.client()
      c.send({ type: 'connect', id: 1, versions: [3, 7] })
      const bye = await c.nextOf('disconnect')
      assert.equal(bye.code, 4502)
      assert.equal(bye.reconnect, false)
      assert.match(bye.reason, /1,2/)
      assert.equal((await c.waitClosed()).code, 4502)
    })
  })

  test('a frame other than connect first → disconnect 4503, close 4503', async () => {
    await withServer({}, async (t) => {
      const c = await t.client()
      c.send({ type: 'subscribe', id: 1, channel: 'news' })
      assert.equal((await c.nextOf('disconnect')).code, 4503)
      assert.equal((await c.waitClosed()).code, 4503)
    })
  })

  test('a binary message → close 4503', async () => {
    await withServer({}, async (t) => {
      const { c } = await t.connected()
      c.send(new Uint8Array([0x7b, 0x7d]))
      assert.equal((await c.waitClosed()).code, 4503)
    })
  })

  test('no connect within the handshake timeout → close 4006', async () => {
    await withServer({ limits: { handshakeTimeoutMs: 150 } }, async (t) => {
      const c = await t.client()
      assert.equal((await c.waitClosed()).code, 4006)
    })
  })
})

describe('authentication', () => {
  test('a token in the connect frame is checked by the hook; accepted → connected with the user', async () => {
    await withServer({ authenticate: auth }, async (t) => {
      const { hello } = await t.connected({ connect: { token: 'good-ann' } })
      assert.equal(hello.user, 'ann')
    })
  })

  test('a refused token in the connect frame → disconnect 4500 (terminal), close 4500', async () => {
    await withServer({ authenticate: auth }, async (t) => {
      const c = await t.client()
      c.send({ type: 'connect', id: 1, versions: [1], token: 'forged' })
      const bye = await c.nextOf('disconnect')
      assert.deepEqual([bye.code, bye.reconnect], [4500, false])
      assert.equal((await c.waitClosed()).code, 4500)
    })
  })

  test('no token at all when the hook refuses anonymous → close 4500', async () => {
    await withServer({ authenticate: auth }, async (t) => {
      const c = await t.client()
      c.send({ type: 'connect', id: 1, versions: [1] })
      assert.equal((await c.waitClosed()).code, 4500)
    })
  })

  test('a hook that throws counts as a refusal → close 4500', async () => {
    const throwing = (): Identity => {
      throw new Error('database down')
    }
    await withServer({ authenticate: throwing }, async (t) => {
      const c = await t.client()
      c.send({ type: 'connect', id: 1, versions: [1], token: 'x' })
      assert.equal((await c.waitClosed()).code, 4500)
    })
  })

  test('a refused token in the Authorization header → HTTP 401, no upgrade', async () => {
    await withServer({ authenticate: auth }, async (t) => {
      assert.equal(await upgradeStatus(t.url, { headers: { authorization: 'Bearer forged' } }), 401)
    })
  })

  test('a refused token in the query → HTTP 401, no upgrade', async () => {
    await withServer({ authenticate: auth }, async (t) => {
      assert.equal(await upgradeStatus(t.url, { query: 'token=forged' }), 401)
    })
  })

  test('an accepted token in the header or query authenticates the connection before connect', async () => {
    let calls = 0
    const counting = (req: AuthRequest): Identity | null => {
      calls += 1
      return auth(req)
    }
    await withServer({ authenticate: counting }, async (t) => {
      const viaHeader = await t.connected({ headers: { authorization: 'Bearer good-ann' } })
      assert.equal(viaHeader.hello.user, 'ann')
      const viaQuery = await t.connected({ query: 'token=good-ann' })
      assert.equal(viaQuery.hello.user, 'ann')
      assert.equal(calls, 2, 'the hook runs once per connection')
    })
  })
})

describe('origin', () => {
  test('an Origin outside allowedOrigins → HTTP 403; an allowed one connects', async () => {
    await withServer({ allowedOrigins: ['https://app.example'] }, async (t) => {
      assert.equal(await upgradeStatus(t.url, { origin: 'https://evil.example' }), 403)
      const { hello } = await t.connected({ origin: 'https://app.example' })
      assert.equal(hello.version, 1)
    })
  })
})
