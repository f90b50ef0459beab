/** Conformance: the limits and their documented close codes, and graceful shutdown (docs/codes.md). */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createServer } from '@minisocket/server'
import { FrameClient, withServer } from './harness.js'

describe('limits', () => {
  test('a subscriber that stops reading is cut off as a slow consumer (4002); the others get everything in order', async () => {
    const namespaces = [{ match: 'fire:*', historySize: 0 }]
    await withServer({ namespaces, limits: { maxOutboundBuffer: 64 * 1024 } }, async (t) => {
      const fast = await t.connected()
      const slow = await t.connected()
      await fast.c.call({ type: 'subscribe', channel: 'fire:1' }, 'subscribed')
      await slow.c.call({ type: 'subscribe', channel: 'fire:1' }, 'subscribed')
      slow.c.ws.pause()
      const payload = 'x'.repeat(8 * 1024)
      const total = 2000 // 16 MB: far past the 64 KiB limit plus what loopback socket buffers absorb
      let received = 0
      const takeFast = (): void => {
        for (const f of fast.c.inbox.splice(0)) if (f.type === 'pub') assert.equal((f.data as { n: number }).n, received++)
      }
      for (let n = 0; n < total; n++) {
        await t.server.publish('fire:1', { n, payload })
        // Let the event loop turn: the server flushes corked writes and checks buffers then.
        if (n % 10 === 9) await new Promise((r) => setImmediate(r))
        takeFast()
      }
      // The server records a disconnect once the socket is gone (after its close grace): poll, bounded.
      const cut = () => t.server.stats().recentDisconnects.some((d) => d.code === 4002)
      for (let i = 0; i < 100 && !cut(); i++) await new Promise((r) => setTimeout(r, 50))
      assert.ok(cut(), `no 4002 disconnect recorded: ${JSON.stringify(t.server.stats().recentDisconnects)}`)
      slow.c.ws.resume()
      await slow.c.waitClosed(5000)
      while (received < total) assert.equal(((await fast.c.nextOf('pub')).data as { n: number }).n, received++)
      assert.equal(fast.c.ws.readyState, fast.c.ws.OPEN)
    })
  })

  test('inbound messages above the rate limit → disconnect 4003, close 4003', async () => {
    await withServer({ limits: { messageRate: 5, messageBurst: 5 } }, async (t) => {
      const { c } = await t.connected()
      for (let i = 0; i < 50; i++) c.send({ type: 'ping' })
      const bye = await c.nextOf('disconnect')
      assert.deepEqual([bye.code, bye.reconnect], [4003, true])
      assert.equal((await c.waitClosed()).code, 4003)
    })
  })

  test('connections per user above the limit → close 4005', async () => {
    const authenticate = ({ token }: { token: string | undefined }) => (token === undefined ? null : { user: token })
    await withServer({ authenticate, limits: { maxConnectionsPerUser: 2 } }, async (t) => {
      await t.connected({ connect: { token: 'ann' } })
      await t.connected({ connect: { token: 'ann' } })
      await t.connected({ connect: { token: 'bob' } })
      const third = await t.client()
      third.send({ type: 'connect', id: 1, versions: [1], token: 'ann' })
      assert.equal((await third.waitClosed()).code, 4005)
    })
  })

  test('connections per IP above the limit → close 4005', async () => {
    await withServer({ limits: { maxConnectionsPerIp: 2 } }, async (t) => {
      await t.connected()
      await t.connected()
      const third = await t.client()
      third.send({ type: 'connect', id: 1, versions: [1] })
      assert.equal((await third.waitClosed()).code, 4005)
    })
  })
})

describe('graceful shutdown', () => {
  test('every client gets disconnect 4000 with reconnect advice and a jittered retryAfter, then close 4000', async () => {
    const server = createServer({ port: 0, host: '127.0.0.1', shutdownRetryAfterMs: 5000 })
    const clients: FrameClient[] = []
    try {
      await server.listen()
      for (let i = 0; i < 8; i++) {
        const c = await FrameClient.open(`ws://127.0.0.1:${server.port}/ws`)
        clients.push(c)
        await c.handshake()
      }
      await server.close({ drainMs: 50 })
      const byes = await Promise.all(clients.map((c) => c.nextOf('disconnect')))
      for (const bye of byes) {
        assert.deepEqual([bye.code, bye.reconnect], [4000, true])
        assert.ok(bye.retryAfter !== undefined && bye.retryAfter >= 0 && bye.retryAfter <= 5000, `retryAfter ${bye.retryAfter}`)
      }
      assert.ok(new Set(byes.map((b) => b.retryAfter)).size > 1, 'retryAfter is jittered per client')
      for (const c of clients) assert.equal((await c.waitClosed()).code, 4000)
    } finally {
      for (const c of clients) c.drop()
      await server.close({ drainMs: 0 })
    }
  })
})
