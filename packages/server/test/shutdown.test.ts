/** Graceful shutdown: disconnect 4000 with a jittered retryAfter to everyone, drain, stop listening. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RawSocket } from './raw-socket.js'
import { startServer, TestClient, within, wsUrl } from './helpers.js'

test('close(): every connection gets disconnect 4000 (reconnect, jittered retryAfter) then close 4000', async () => {
  const server = await startServer({ shutdownRetryAfterMs: 5000 })
  const url = wsUrl(server)
  let closed = false
  try {
    const clients = await Promise.all(Array.from({ length: 10 }, async () => (await TestClient.connect(url)).client))
    await clients[0]?.request({ type: 'subscribe', channel: 'x' }, 'subscribed')
    const closing = server.close({ drainMs: 3000 })
    const frames = await Promise.all(clients.map((c) => c.next('disconnect')))
    for (const f of frames) {
      assert.deepEqual([f.code, f.reconnect], [4000, true])
      assert.ok(f.retryAfter !== undefined && f.retryAfter >= 0 && f.retryAfter <= 5000, `retryAfter ${f.retryAfter}`)
    }
    assert.ok(new Set(frames.map((f) => f.retryAfter)).size > 1, 'retryAfter is spread, not one instant')
    for (const c of clients) assert.equal((await c.waitClosed()).code, 4000)
    await within(closing, 5000, 'close resolves')
    closed = true
    await assert.rejects(TestClient.open(url), 'no longer accepting')
    assert.equal(server.stats().connections, 0)
  } finally {
    if (!closed) await server.close({ drainMs: 500 })
  }
})

test('close() is bounded by drainMs even when a peer never answers the close handshake', async () => {
  const server = await startServer()
  const raw = await RawSocket.open(server.port)
  try {
    raw.send({ type: 'connect', id: 1, versions: [1] })
    raw.stopReading()
    // A hang guard, not a speed check: a stuck peer must not hold close() past its drain.
    await within(server.close({ drainMs: 300 }), 5000, 'close with a stuck peer')
    assert.equal(server.stats().connections, 0)
  } finally {
    raw.destroy()
  }
})

test('close() before listen() and twice in a row are harmless', async () => {
  const { createServer } = await import('../src/index.js')
  const never = createServer({ port: 0 })
  await never.close()
  const server = await startServer()
  await Promise.all([server.close({ drainMs: 100 }), server.close({ drainMs: 100 })])
  await assert.rejects(server.listen(), /cannot go from closed/)
})
