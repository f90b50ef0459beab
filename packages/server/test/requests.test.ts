/**
 * Requests on an open connection: publish (permissions, `mid` dedupe per G5), RPC (reply,
 * unknown 103, RpcError code, throw 111, timeout 107), history queries, unsubscribe,
 * server-side subscriptions (id 0) and kicks (4504).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { RpcError } from '../src/index.js'
import { startServer, TestClient, until, wsUrl } from './helpers.js'

const codeOf = (e: { code?: number }): number | undefined => e.code

test('publish with mid: a retry is acked with the same position and duplicate:true, stored and delivered once', async () => {
  const server = await startServer({ authenticate: ({ token }) => ({ user: token ?? '' }) })
  try {
    const { client: pub, connected: pubInfo } = await TestClient.connect(wsUrl(server), { token: 'u1' })
    const { client: sub } = await TestClient.connect(wsUrl(server))
    await sub.request({ type: 'subscribe', channel: 'ch' }, 'subscribed')
    await pub.request({ type: 'subscribe', channel: 'ch' }, 'subscribed')
    const first = await pub.request({ type: 'publish', channel: 'ch', data: 'hello', mid: 'm-1' }, 'ack')
    assert.equal(first.duplicate, undefined)
    const retry = await pub.request({ type: 'publish', channel: 'ch', data: 'hello', mid: 'm-1' }, 'ack')
    assert.deepEqual([retry.epoch, retry.offset, retry.duplicate], [first.epoch, first.offset, true])
    // The same user on another connection (a reconnect) is deduplicated too.
    const { client: pub2 } = await TestClient.connect(wsUrl(server), { token: 'u1' })
    await pub2.request({ type: 'subscribe', channel: 'ch' }, 'subscribed')
    assert.equal((await pub2.request({ type: 'publish', channel: 'ch', data: 'hello', mid: 'm-1' }, 'ack')).duplicate, true)
    // Another user with the same mid is another message.
    const { client: other } = await TestClient.connect(wsUrl(server), { token: 'u2' })
    await other.request({ type: 'subscribe', channel: 'ch' }, 'subscribed')
    assert.equal((await other.request({ type: 'publish', channel: 'ch', data: 'x', mid: 'm-1' }, 'ack')).offset, 2)
    const history = await server.history('ch')
    assert.deepEqual(history.publications.map((p) => p.data), ['hello', 'x'])
    assert.deepEqual(history.publications[0]?.info, { client: pubInfo.client, user: 'u1' }, 'publisher info is vouched by the server')
    const delivered = [await sub.next('pub'), await sub.next('pub')]
    assert.deepEqual(delivered.map((p) => p.offset), [1, 2])
    await sub.request({ type: 'history', channel: 'ch', limit: 1 }, 'history')
    assert.equal(sub.frames.filter((f) => f.type === 'pub').length, 0, 'the retry was not delivered again')
    assert.equal(server.stats().publications, 2)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('permissions per namespace: subscribers-only publish (105), none (102), authenticated, callbacks; unknown channel 101', async () => {
  const server = await startServer({
    authenticate: ({ token }) => ({ user: token ?? '' }),
    namespaces: [
      { match: 'news:*', publish: 'none' },
      { match: 'members:*', subscribe: 'authenticated', publish: 'authenticated' },
      { match: /^private:/, subscribe: (ctx) => ctx.channel === `private:${ctx.user}`, read: 'subscribers' },
      { match: 'open:*' },
    ],
  })
  try {
    const { client: anon } = await TestClient.connect(wsUrl(server))
    const { client: alice } = await TestClient.connect(wsUrl(server), { token: 'alice' })
    assert.equal(await anon.request({ type: 'subscribe', channel: 'nowhere' }, 'subscribed').catch(codeOf), 101)
    assert.equal(await anon.request({ type: 'publish', channel: 'open:a', data: 1 }, 'ack').catch(codeOf), 105)
    await anon.request({ type: 'subscribe', channel: 'news:a' }, 'subscribed')
    assert.equal(await anon.request({ type: 'publish', channel: 'news:a', data: 1 }, 'ack').catch(codeOf), 102)
    assert.equal(await anon.request({ type: 'subscribe', channel: 'members:x' }, 'subscribed').catch(codeOf), 102)
    await alice.request({ type: 'subscribe', channel: 'members:x' }, 'subscribed')
    assert.equal((await alice.request({ type: 'publish', channel: 'members:x', data: 1 }, 'ack')).offset, 1)
    assert.equal(await anon.request({ type: 'subscribe', channel: 'private:alice' }, 'subscribed').catch(codeOf), 102)
    assert.equal(await anon.request({ type: 'history', channel: 'private:alice' }, 'history').catch(codeOf), 105)
    await alice.request({ type: 'subscribe', channel: 'private:alice' }, 'subscribed')
    assert.equal((await alice.request({ type: 'history', channel: 'private:alice' }, 'history')).offset, 0)
    assert.equal(await alice.request({ type: 'subscribe', channel: 'private:alice' }, 'subscribed').catch(codeOf), 104)
    assert.equal(await alice.request({ type: 'presence', channel: 'private:alice' }, 'presence').catch(codeOf), 110)
    assert.equal((await alice.request({ type: 'unsubscribe', channel: 'private:alice' }, 'unsubscribed')).channel, 'private:alice')
    assert.equal(await alice.request({ type: 'unsubscribe', channel: 'private:alice' }, 'unsubscribed').catch(codeOf), 105)
    await assert.rejects(server.publish('nowhere', 1), (e: { code?: number }) => e.code === 101)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const bad of [10n, cyclic, undefined]) {
      await assert.rejects(server.publish('open:a', bad as never), (e: { code?: number }) => e.code === 100)
    }
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('RPC: reply, unknown method 103 (prototype names too), RpcError code, throw → 111, unserializable result → 108, timeout → 107', async () => {
  const clock = new FakeClock()
  let release: (() => void) | undefined
  const server = await startServer({
    clock,
    rpcTimeoutMs: 1000,
    rpc: {
      echo: (data, ctx) => ({ data, user: ctx.user, hasSession: ctx.session.length > 0 }),
      refuse: () => {
        throw new RpcError(4242, 'out of stock')
      },
      crash: async () => {
        throw new Error('kaput')
      },
      slow: () => new Promise((resolve) => (release = () => resolve('late'))),
      nothing: () => undefined as unknown as null,
      bigint: () => 10n as unknown as null,
      cycle: async () => {
        const cycle: { self?: unknown } = {}
        cycle.self = cycle
        return cycle as unknown as null
      },
    },
  })
  try {
    const { client } = await TestClient.connect(wsUrl(server))
    assert.deepEqual((await client.request({ type: 'rpc', method: 'echo', data: [1, { a: 2 }] }, 'reply')).data, { data: [1, { a: 2 }], user: '', hasSession: true })
    for (const method of ['missing', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      assert.equal(await client.request({ type: 'rpc', method, data: null }, 'reply').catch(codeOf), 103, method)
    }
    const refused = await client.request({ type: 'rpc', method: 'refuse', data: null }, 'reply').catch((e: Error & { code?: number }) => e)
    assert.equal((refused as { code?: number }).code, 4242)
    assert.match((refused as Error).message, /out of stock/)
    const crashed = await client.request({ type: 'rpc', method: 'crash', data: null }, 'reply').catch((e: Error & { code?: number }) => e)
    assert.equal((crashed as { code?: number }).code, 111)
    assert.match((crashed as Error).message, /kaput/)
    assert.equal((await client.request({ type: 'rpc', method: 'nothing', data: null }, 'reply')).data, null)
    for (const method of ['bigint', 'cycle']) {
      const unserializable = await client.request({ type: 'rpc', method, data: null }, 'reply').catch((e: Error & { code?: number }) => e)
      assert.deepEqual([(unserializable as { code?: number }).code, (unserializable as Error).message], [108, 'error 108: reply is not JSON-serializable'], method)
    }
    const pending = client.request({ type: 'rpc', method: 'slow', data: null }, 'reply').catch(codeOf)
    // A pending RPC does not hold up other requests.
    assert.equal((await client.request({ type: 'rpc', method: 'echo', data: 1 }, 'reply')).id > 0, true)
    await until(() => release !== undefined)
    clock.advance(1000)
    assert.equal(await pending, 107)
    release?.()
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('history query: since/limit, recovered only with since, 110 when history is off', async () => {
  const server = await startServer({ namespaces: [{ match: 'h:*', historySize: 3 }, { match: 'live:*', historySize: 0 }] })
  try {
    for (let i = 1; i <= 5; i++) await server.publish('h:1', i)
    const { client } = await TestClient.connect(wsUrl(server))
    const all = await client.request({ type: 'history', channel: 'h:1' }, 'history')
    assert.deepEqual([all.offset, all.publications.map((p) => p.data), all.recovered], [5, [3, 4, 5], undefined])
    const since = await client.request({ type: 'history', channel: 'h:1', since: { epoch: all.epoch, offset: 3 }, limit: 1 }, 'history')
    assert.deepEqual([since.publications.map((p) => p.offset), since.recovered], [[4], true])
    const gone = await client.request({ type: 'history', channel: 'h:1', since: { epoch: all.epoch, offset: 1 } }, 'history')
    assert.equal(gone.recovered, false)
    assert.equal(await client.request({ type: 'history', channel: 'live:1' }, 'history').catch(codeOf), 110)
    assert.equal(await client.request({ type: 'history', channel: 'h:1', limit: 5000 }, 'history').catch(codeOf), 100)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('server side: subscribeUser arrives as subscribed id 0 with live delivery; disconnectUser → 4504', async () => {
  const server = await startServer({ authenticate: ({ token }) => ({ user: token ?? '' }) })
  try {
    const { client } = await TestClient.connect(wsUrl(server), { token: 'carol' })
    const { client: other } = await TestClient.connect(wsUrl(server), { token: 'dave' })
    await server.subscribeUser('carol', 'alerts')
    const sub = await client.next('subscribed')
    assert.deepEqual([sub.id, sub.channel, sub.offset], [0, 'alerts', 0])
    await server.publish('alerts', { level: 'high' })
    assert.deepEqual((await client.next('pub')).data, { level: 'high' })
    server.disconnectUser('carol', 'banned')
    const bye = await client.next('disconnect')
    assert.deepEqual([bye.code, bye.reason, bye.reconnect], [4504, 'banned', false])
    assert.equal((await client.waitClosed()).code, 4504)
    assert.equal(other.closedWith, undefined)
    assert.equal(other.frames.length, 0)
  } finally {
    await server.close({ drainMs: 500 })
  }
})
