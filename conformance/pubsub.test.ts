/** Conformance: subscribe / publish / ack, live delivery, idempotent publish, request errors. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { withServer } from './harness.js'

const namespaces = [
  { match: 'chat:*', historySize: 100 },
  { match: 'typing:*', historySize: 0 },
  { match: 'open:*', historySize: 10, publish: 'all' as const },
]

describe('subscribe, publish, ack', () => {
  test('a publication is acked with its position and delivered to subscribers with publisher info', async () => {
    await withServer({ namespaces }, async (t) => {
      const a = await t.connected()
      const b = await t.connected()
      const subA = await a.c.call({ type: 'subscribe', channel: 'chat:1' }, 'subscribed')
      const subB = await b.c.call({ type: 'subscribe', channel: 'chat:1' }, 'subscribed')
      assert.equal(typeof subA.epoch, 'string')
      assert.deepEqual([subA.offset, subB.epoch, subB.offset], [0, subA.epoch, 0])
      const ack = await a.c.call({ type: 'publish', channel: 'chat:1', data: { text: 'hi' } }, 'ack')
      assert.deepEqual([ack.epoch, ack.offset, ack.duplicate ?? false], [subA.epoch, 1, false])
      const pub = await b.c.nextOf('pub')
      assert.deepEqual(pub, { type: 'pub', channel: 'chat:1', data: { text: 'hi' }, epoch: subA.epoch, offset: 1, info: { client: a.hello.client, user: '' } })
    })
  })

  test('version 2: a live publication is the compact array, its epoch sent only when it is not the one last heard', async () => {
    await withServer({ namespaces }, async (t) => {
      const a = await t.connected({ connect: { versions: [1, 2] } })
      assert.equal(a.hello.version, 2)
      const sub = await a.c.call({ type: 'subscribe', channel: 'chat:v2' }, 'subscribed')
      await a.c.call({ type: 'subscribe', channel: 'typing:v2' }, 'subscribed')
      await a.c.call({ type: 'publish', channel: 'chat:v2', data: { text: 'hi' } }, 'ack')
      await a.c.call({ type: 'publish', channel: 'typing:v2', data: 1 }, 'ack')
      const pub = await a.c.nextOf('pub')
      assert.deepEqual(pub, { type: 'pub', channel: 'chat:v2', data: { text: 'hi' }, offset: 1, info: { client: a.hello.client, user: '' } })
      await a.c.nextOf('pub')
      const wire = a.c.received.filter((text) => text.startsWith('['))
      assert.deepEqual(wire, [
        `["p","chat:v2",{"text":"hi"},1,null,{"client":"${a.hello.client}","user":""}]`,
        `["p","typing:v2",1,null,null,{"client":"${a.hello.client}","user":""}]`,
      ])
      assert.equal(typeof sub.epoch, 'string')
    })
  })

  test('publications arrive in offset order, once each (G1, G6)', async () => {
    await withServer({ namespaces }, async (t) => {
      const a = await t.connected()
      const b = await t.connected()
      await a.c.call({ type: 'subscribe', channel: 'chat:order' }, 'subscribed')
      await b.c.call({ type: 'subscribe', channel: 'chat:order' }, 'subscribed')
      for (let i = 0; i < 30; i++) a.c.send({ type: 'publish', id: a.c.nextId(), channel: 'chat:order', data: i })
      const got: Array<number | undefined> = []
      for (let i = 0; i < 30; i++) got.push((await b.c.nextOf('pub')).offset)
      assert.deepEqual(got, Array.from({ length: 30 }, (_, i) => i + 1))
      assert.deepEqual(await b.c.collect('pub', 100), [], 'no duplicates after the last one')
    })
  })

  test('a channel without history: no epoch or offset anywhere', async () => {
    await withServer({ namespaces }, async (t) => {
      const a = await t.connected()
      const b = await t.connected()
      const sub = await a.c.call({ type: 'subscribe', channel: 'typing:1' }, 'subscribed')
      await b.c.call({ type: 'subscribe', channel: 'typing:1' }, 'subscribed')
      assert.deepEqual([sub.epoch, sub.offset], [undefined, undefined])
      const ack = await a.c.call({ type: 'publish', channel: 'typing:1', data: 'x' }, 'ack')
      assert.deepEqual([ack.epoch, ack.offset], [undefined, undefined])
      const pub = await b.c.nextOf('pub')
      assert.deepEqual([pub.data, pub.epoch, pub.offset], ['x', undefined, undefined])
    })
  })

  test('server-side publish reaches client subscribers', async () => {
    await withServer({ namespaces }, async (t) => {
      const { c } = await t.connected()
      await c.call({ type: 'subscribe', channel: 'chat:srv' }, 'subscribed')
      const r = await t.server.publish('chat:srv', { from: 'app' })
      const pub = await c.nextOf('pub')
      assert.deepEqual([pub.data, pub.offset, pub.epoch], [{ from: 'app' }, r.offset, r.epoch])
    })
  })

  test('a server-side subscription arrives as subscribed with id 0 and delivers', async () => {
    const authenticate = ({ token }: { token: string | undefined }) => (token === undefined ? null : { user: token })
    await withServer({ namespaces, authenticate }, async (t) => {
      const { c } = await t.connected({ connect: { token: 'ann' } })
      await t.server.subscribeUser('ann', 'chat:ann')
      const sub = await c.nextOf('subscribed')
      assert.deepEqual([sub.id, sub.channel, sub.offset], [0, 'chat:ann', 0])
      await t.server.publish('chat:ann', 'for ann')
      assert.equal((await c.nextOf('pub')).data, 'for ann')
    })
  })

  test('after unsubscribe nothing more is delivered', async () => {
    await withServer({ namespaces }, async (t) => {
      const { c } = await t.connected()
      await c.call({ type: 'subscribe', channel: 'chat:u' }, 'subscribed')
      const un = await c.call({ type: 'unsubscribe', channel: 'chat:u' }, 'unsubscribed')
      assert.equal(un.channel, 'chat:u')
      await t.server.publish('chat:u', 1)
      assert.deepEqual(await c.collect('pub', 150), [])
    })
  })
})

describe('idempotent publish with a client message id (G5)', () => {
  test('the same mid three times → one history entry, the same ack, one delivery', async () => {
    await withServer({ namespaces }, async (t) => {
      const a = await t.connected()
      const b = await t.connected()
      await a.c.call({ type: 'subscribe', channel: 'chat:idem' }, 'subscribed')
      await b.c.call({ type: 'subscribe', channel: 'chat:idem' }, 'subscribed')
      const acks: Array<{ epoch?: string; offset?: number; duplicate?: boolean }> = []
      for (let i = 0; i < 3; i++) acks.push(await a.c.call({ type: 'publish', channel: 'chat:idem', data: { text: 'once' }, mid: 'm-1' }, 'ack'))
      assert.deepEqual(acks.map((x) => [x.epoch, x.offset]), [0, 1, 2].map(() => [acks[0]?.epoch, 1]))
      assert.deepEqual(acks.map((x) => x.duplicate ?? false), [false, true, true])
      const history = await t.server.history('chat:idem')
      assert.equal(history.publications.length, 1)
      assert.equal(history.offset, 1)
      // A different mid is a new publication.
      const next = await a.c.call({ type: 'publish', channel: 'chat:idem', data: { text: 'two' }, mid: 'm-2' }, 'ack')
      assert.equal(next.offset, 2)
      const got = [await b.c.nextOf('pub'), await b.c.nextOf('pub')]
      assert.deepEqual(got.map((p) => [p.offset, p.data]), [[1, { text: 'once' }], [2, { text: 'two' }]])
      assert.deepEqual(await b.c.collect('pub', 100), [])
    })
  })

  test('the same mid from a reconnected session of the same user is still a duplicate', async () => {
    const authenticate = ({ token }: { token: string | undefined }) => (token === undefined ? null : { user: token })
    await withServer({ namespaces, authenticate }, async (t) => {
      const first = await t.connected({ connect: { token: 'ann' } })
      await first.c.call({ type: 'subscribe', channel: 'chat:re' }, 'subscribed')
      const ack1 = await first.c.call({ type: 'publish', channel: 'chat:re', data: 1, mid: 'x' }, 'ack')
      first.c.drop()
      const second = await t.connected({ connect: { token: 'ann', session: first.hello.session } })
      await second.c.call({ type: 'subscribe', channel: 'chat:re' }, 'subscribed')
      const ack2 = await second.c.call({ type: 'publish', channel: 'chat:re', data: 1, mid: 'x' }, 'ack')
      assert.deepEqual([ack2.epoch, ack2.offset, ack2.duplicate], [ack1.epoch, ack1.offset, true])
      // Another user with the same mid is not a duplicate.
      const bob = await t.connected({ connect: { token: 'bob' } })
      await bob.c.call({ type: 'subscribe', channel: 'chat:re' }, 'subscribed')
      const ack3 = await bob.c.call({ type: 'publish', channel: 'chat:re', data: 1, mid: 'x' }, 'ack')
      assert.deepEqual([ack3.offset, ack3.duplicate ?? false], [2, false])
    })
  })
})

describe('request errors keep the connection open', () => {
  test('bad field → 100, unknown channel → 101, twice subscribed → 104, not subscribed → 105', async () => {
    await withServer({ namespaces }, async (t) => {
      const { c } = await t.connected()
      c.send('{"type":"subscribe","id":50,"channel":"has space"}')
      assert.deepEqual(await c.nextOf('error', (e) => e.id === 50).then((e) => e.code), 100)
      const unknown = await c.request({ type: 'subscribe', channel: 'nowhere:1' })
      assert.deepEqual([unknown.type, 'code' in unknown && unknown.code], ['error', 101])
      await c.call({ type: 'subscribe', channel: 'chat:e' }, 'subscribed')
      const twice = await c.request({ type: 'subscribe', channel: 'chat:e' })
      assert.deepEqual([twice.type, 'code' in twice && twice.code], ['error', 104])
      const notSub = await c.request({ type: 'unsubscribe', channel: 'chat:other' })
      assert.deepEqual([notSub.type, 'code' in notSub && notSub.code], ['error', 105])
      const pubNotSub = await c.request({ type: 'publish', channel: 'chat:other', data: 1 })
      // Publishing defaults to subscribers only; codes.ts names 105 for "a publish that requires a subscription".
      assert.deepEqual([pubNotSub.type, 'code' in pubNotSub && pubNotSub.code], ['error', 105])
      // Still open and serving.
      const ok = await c.call({ type: 'publish', channel: 'open:x', data: 1 }, 'ack')
      assert.equal(ok.offset, 1)
    })
  })

  test('subscriptions per connection are limited → 106', async () => {
    await withServer({ namespaces, limits: { maxSubscriptions: 3 } }, async (t) => {
      const { c } = await t.connected()
      for (let i = 0; i < 3; i++) await c.call({ type: 'subscribe', channel: `chat:${i}` }, 'subscribed')
      const over = await c.request({ type: 'subscribe', channel: 'chat:3' })
      assert.deepEqual([over.type, 'code' in over && over.code], ['error', 106])
    })
  })

  test('a fatal frame after the handshake → disconnect 4503, close 4503', async () => {
    await withServer({ namespaces }, async (t) => {
      const { c } = await t.connected()
      c.send('{"type":"publish","id":3,"channel":"chat:1","data":{"__proto__":{"x":1}}}')
      assert.equal((await c.nextOf('disconnect')).code, 4503)
      assert.equal((await c.waitClosed()).code, 4503)
      assert.equal(({} as Record<string, unknown>)['x'], undefined)
    })
  })

  test('a message over maxMessageSize → close 1009', async () => {
    await withServer({ namespaces, limits: { maxMessageSize: 1024 } }, async (t) => {
      const { c, hello } = await t.connected()
      assert.equal(hello.maxMessageSize, 1024)
      await c.call({ type: 'subscribe', channel: 'chat:big' }, 'subscribed')
      c.send({ type: 'publish', id: 9, channel: 'chat:big', data: 'x'.repeat(2000) })
      assert.equal((await c.waitClosed()).code, 1009)
      assert.equal((await t.server.history('chat:big')).publications.length, 0)
    })
  })
})
