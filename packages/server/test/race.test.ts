/**
 * The subscribe-then-read race: publications that land while the node reads history must
 * reach the client exactly once and in offset order — some are in the read, some only live.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Json, PresenceMember, PublisherInfo } from '@minisocket/protocol'
import { MemoryBroker, type MemoryBrokerOptions, type Broker, type BrokerHandler, type HistoryOptions, type HistoryQuery, type HistoryResult, type PublishOptions } from '../src/index.js'
import { randomBytes } from 'node:crypto'
import { closePayload, encodeFrame, FakeClock, FrameParser, Opcode, type WsFrame } from '@minisocket/testkit'
import { startServer, TestClient, until, within, wsUrl } from './helpers.js'
import { RawSocket } from './raw-socket.js'

/** A memory broker whose history read runs hooks before and after the real read. */
class RacyBroker implements Broker {
  readonly inner: MemoryBroker
  constructor(options: MemoryBrokerOptions = {}) {
    this.inner = new MemoryBroker(options)
  }
  before: () => Promise<void> = async () => {}
  after: () => Promise<void> = async () => {}
  /** While set, live publications are held back (Redis: the pub/sub link lagging the command link). */
  holdLive = false
  readonly held: Array<() => void> = []
  start(h: BrokerHandler): Promise<void> {
    const onPublication: BrokerHandler['onPublication'] = (c, p) => (this.holdLive ? this.held.push(() => h.onPublication(c, p)) : h.onPublication(c, p))
    return this.inner.start({ ...h, onPublication })
  }
  subscribe(c: string): Promise<void> {
    return this.inner.subscribe(c)
  }
  unsubscribe(c: string): Promise<void> {
    return this.inner.unsubscribe(c)
  }
  publish(c: string, d: Json, i: PublisherInfo | undefined, o: PublishOptions) {
    return this.inner.publish(c, d, i, o)
  }
  publishJoin(c: string, m: PresenceMember): Promise<void> {
    return this.inner.publishJoin(c, m)
  }
  publishLeave(c: string, m: PresenceMember): Promise<void> {
    return this.inner.publishLeave(c, m)
  }
  async history(c: string, q: HistoryQuery, o: HistoryOptions): Promise<HistoryResult> {
    await this.before()
    const read = await this.inner.history(c, q, o)
    await this.after()
    return read
  }
  removeHistory(c: string): Promise<void> {
    return this.inner.removeHistory(c)
  }
  close(): Promise<void> {
    return this.inner.close()
  }
}

for (const withSince of [true, false]) {
  test(`publications during the history read arrive once, in order (${withSince ? 'recovering' : 'fresh'} subscribe)`, async () => {
    const broker = new RacyBroker()
    const server = await startServer({ broker, namespaces: [{ match: /^/, historySize: 100 }] })
    try {
      const first = await server.publish('ch', 1)
      await server.publish('ch', 2)
      // Lands after the node joined the channel and before the read: in the read AND buffered live.
      broker.before = async () => {
        await server.publish('ch', 3)
        await server.publish('ch', 4)
      }
      // Lands after the read: only live.
      broker.after = async () => {
        await server.publish('ch', 5)
      }
      const { client } = await TestClient.connect(wsUrl(server))
      const request: Record<string, unknown> = { type: 'subscribe', channel: 'ch' }
      if (withSince) request.since = { epoch: first.epoch, offset: 1 }
      const sub = await client.request(request, 'subscribed')
      broker.before = broker.after = async () => {}
      assert.equal(sub.offset, 4)
      if (withSince) {
        assert.equal(sub.recovered, true)
        assert.deepEqual(sub.publications?.map((p) => p.offset), [2, 3, 4])
      }
      await server.publish('ch', 6)
      const live: number[] = []
      for (let i = 0; i < 2; i++) live.push((await client.next('pub')).offset as number)
      assert.deepEqual(live, [5, 6])
      // Nothing else queued: a sentinel round trip proves no late duplicate follows.
      await client.request({ type: 'history', channel: 'ch', limit: 1 }, 'history')
      assert.deepEqual(client.frames.filter((f) => f.type === 'pub'), [])
      client.close()
    } finally {
      await server.close({ drainMs: 500 })
    }
  })
}

test('a publication the history read already returned, delivered live only after the reply, is not sent twice (G1)', async () => {
  const broker = new RacyBroker()
  const server = await startServer({ broker, namespaces: [{ match: /^/, historySize: 100 }] })
  try {
    const first = await server.publish('ch', 1)
    const { client } = await TestClient.connect(wsUrl(server))
    // Stored (the read sees it) but its live copy lags: it reaches the node after the reply.
    broker.before = async () => {
      broker.holdLive = true
      await server.publish('ch', 2)
    }
    const sub = await client.request({ type: 'subscribe', channel: 'ch', since: { epoch: first.epoch, offset: 1 } }, 'subscribed')
    assert.deepEqual([sub.recovered, sub.publications?.map((p) => p.offset)], [true, [2]])
    broker.holdLive = false
    for (const release of broker.held.splice(0)) release()
    await server.publish('ch', 3)
    assert.equal((await client.next('pub')).offset, 3, 'the late live copy of 2 was dropped')
    await client.request({ type: 'history', channel: 'ch', limit: 1 }, 'history')
    assert.deepEqual(client.frames.filter((f) => f.type === 'pub'), [])
    client.close()
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('a broker failure during subscribe → error 109, the connection stays usable', async () => {
  const broker = new RacyBroker()
  const server = await startServer({ broker })
  try {
    broker.before = async () => {
      throw new Error('redis down')
    }
    const { client } = await TestClient.connect(wsUrl(server))
    await assert.rejects(client.request({ type: 'subscribe', channel: 'x' }, 'subscribed'), (e: { code?: number }) => e.code === 109)
    broker.before = async () => {}
    const sub = await client.request({ type: 'subscribe', channel: 'x' }, 'subscribed')
    assert.equal(sub.channel, 'x')
    assert.equal(server.stats().subscriptions, 1)
    client.close()
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('v2: a publication of an older epoch, buffered during the read, carries its epoch; the next one of the read\'s epoch carries that one', async () => {
  const TTL = 10_000
  const clock = new FakeClock()
  const broker = new RacyBroker({ clock })
  const server = await startServer({ broker, clock, namespaces: [{ match: /^/, historySize: 100, historyTtlMs: TTL }] })
  try {
    const old = await server.publish('ch', 1)
    broker.before = async () => {
      await server.publish('ch', 2) // buffered live for the subscriber, in the old epoch
      clock.advance(TTL + 1) // the stream expires: the read starts a new epoch at offset 0
    }
    const { client } = await TestClient.connect(wsUrl(server), { versions: [2] })
    const sub = await client.request({ type: 'subscribe', channel: 'ch' }, 'subscribed')
    broker.before = async () => {}
    assert.notEqual(sub.epoch, old.epoch)
    assert.equal(sub.offset, 0)
    const next = await server.publish('ch', 3)
    assert.deepEqual([next.epoch, next.offset], [sub.epoch, 1])
    await client.next('pub')
    await client.next('pub')
    // Were the epoch sent only when the node saw it change, offset 1 would read as the old
    // epoch's, below the 2 just delivered, and the client would drop it as a duplicate.
    assert.deepEqual(client.texts.filter((t) => t.startsWith('["p"')), [`["p","ch",2,2,"${old.epoch}"]`, `["p","ch",3,1,"${sub.epoch}"]`])
    client.close()
  } finally {
    await server.close({ drainMs: 0 })
  }
})

test('more publications during the history read than the subscription may hold (maxOutboundBuffer / 64) → close 4002, and none is sent', async () => {
  const broker = new RacyBroker()
  // 256 bytes of outbound buffer: a subscribing subscription holds at most 4 publications.
  const server = await startServer({ broker, namespaces: [{ match: /^/, historySize: 100 }], limits: { maxOutboundBuffer: 256 } })
  try {
    broker.before = async () => {
      for (let i = 1; i <= 5; i++) await server.publish('ch', i)
    }
    const { client } = await TestClient.connect(wsUrl(server))
    client.ws.send(JSON.stringify({ type: 'subscribe', id: 7, channel: 'ch' }))
    const closed = await client.waitClosed()
    assert.equal(closed.code, 4002)
    assert.deepEqual(client.frames.filter((f) => f.type === 'pub' || f.type === 'subscribed'), [])
    assert.equal(client.frames.find((f) => f.type === 'disconnect')?.code, 4002)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('four publications during the read fit that limit and arrive once, in order, after the reply', async () => {
  const broker = new RacyBroker()
  const server = await startServer({ broker, namespaces: [{ match: /^/, historySize: 100 }], limits: { maxOutboundBuffer: 256 } })
  try {
    const { client } = await TestClient.connect(wsUrl(server))
    // Held back past the read, so all four are buffered live (not in the read).
    broker.before = async () => {
      broker.holdLive = true
    }
    broker.after = async () => {
      for (let i = 1; i <= 4; i++) await server.publish('ch', i)
      broker.holdLive = false
      for (const release of broker.held.splice(0)) release()
    }
    const sub = await client.request({ type: 'subscribe', channel: 'ch' }, 'subscribed')
    assert.equal(sub.offset, 0)
    const live: number[] = []
    for (let i = 0; i < 4; i++) live.push((await client.next('pub')).offset as number)
    assert.deepEqual(live, [1, 2, 3, 4])
    client.close()
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('a subscription of a connection that is closing sends nothing after its close frame (RFC 6455 §5.5.1)', async () => {
  const server = await startServer({ namespaces: [{ match: /^/, historySize: 100 }], authenticate: ({ token }) => (token === undefined ? null : { user: token }) })
  // A bare socket sees every byte the server writes, also what a WebSocket client drops after a close frame.
  const raw = await RawSocket.open(server.port)
  try {
    const parser = new FrameParser()
    const frames: WsFrame[] = []
    raw.socket.on('data', (chunk: Buffer) => frames.push(...parser.push(chunk)))
    const texts = (): Array<Record<string, unknown>> => frames.filter((f) => f.opcode === Opcode.text).map((f) => JSON.parse(f.payload.toString('utf8')) as Record<string, unknown>)
    raw.send({ type: 'connect', id: 1, versions: [1], token: 'u1' })
    await until(() => texts().some((f) => f.type === 'connected'), undefined, 'connected')
    raw.send({ type: 'subscribe', id: 2, channel: 'ch' })
    await until(() => texts().some((f) => f.type === 'subscribed'), undefined, 'subscribed')
    // The server closes the connection (4504) and publishes on its channel before the peer answered the close.
    server.disconnectUser('u1')
    await server.publish('ch', 1)
    await until(() => frames.some((f) => f.opcode === Opcode.close), undefined, 'close frame')
    await server.publish('ch', 2)
    raw.socket.write(encodeFrame({ opcode: 'close', payload: closePayload(4504) }, randomBytes(4)))
    await within(new Promise((resolve) => raw.socket.once('close', resolve)), 3000, 'socket closed')
    const close = frames.findIndex((f) => f.opcode === Opcode.close)
    assert.equal(frames[close]?.payload.readUInt16BE(0), 4504)
    assert.deepEqual(frames.slice(close + 1), [], 'nothing follows the close frame')
    assert.deepEqual(texts().filter((f) => f.type === 'pub'), [], 'no publication after the disconnect')
  } finally {
    raw.destroy()
    await server.close({ drainMs: 500 })
  }
})
