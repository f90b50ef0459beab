/**
 * End to end: the outbox (G5). Publishes made while offline land exactly once after the
 * reconnect; publishes whose acks were lost are re-sent with the same mid and deduplicated by
 * the server. A second client observes what was delivered.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createFaultProxy, frameMatchers } from '@minisocket/testkit'
import type { PublishResult, Sending } from '../../src/index.js'
import { nodeClient, range, sleep, startServer, until } from './helpers.js'

async function setup() {
  const server = await startServer({
    namespaces: [{ match: 'chat:*', historySize: 1000, publish: 'all' }],
    authenticate: ({ token }) => ({ user: token ?? '' }),
  })
  const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: server.port } })
  const sender = nodeClient(`${proxy.url}/ws`, { token: () => 'alice' })
  const observer = nodeClient(`ws://127.0.0.1:${server.port}/ws`)
  const received: number[] = []
  let subscribed = false
  observer.subscribe('chat:1', { publication: (p) => received.push((p.data as { n: number }).n), subscribed: () => (subscribed = true) })
  observer.connect()
  sender.connect()
  await until('both connected', () => subscribed && sender.state === 'connected')
  const stop = async (): Promise<void> => {
    sender.close()
    observer.close()
    await proxy.close()
    await server.close({ drainMs: 0 })
  }
  return { server, proxy, sender, received, stop }
}

test('publishes made while offline arrive exactly once, in order, after the reconnect', async () => {
  const { proxy, sender, received, stop } = await setup()
  try {
    proxy.refuseNext(1_000)
    proxy.cut()
    await until('sender offline', () => sender.state === 'disconnected')
    const sends: Sending[] = range(1, 20).map((n) => sender.publish('chat:1', { n }))
    assert.deepEqual(new Set(sends.map((s) => s.status)), new Set(['queued']))
    await sleep(300) // a few refused reconnect attempts
    assert.equal(received.length, 0)
    proxy.refuseNext(0)
    const results: PublishResult[] = await Promise.all(sends)
    await until('20 delivered', () => received.length >= 20)
    await sleep(50)
    assert.deepEqual(received, range(1, 20))
    assert.ok(results.every((r) => r.status === 'sent' && r.duplicate === false))
    assert.deepEqual(results.map((r) => r.offset), range(1, 20))
  } finally {
    await stop()
  }
})

test('lost acks: re-sent with the same mid after a cut, deduplicated by the server (G5)', async () => {
  const { proxy, sender, received, stop } = await setup()
  try {
    const noAcks = proxy.suppress('toClient', frameMatchers.jsonType('ack'))
    const sends = range(1, 10).map((n) => sender.publish('chat:1', { n }))
    assert.ok(sends.every((s) => s.status === 'sent'))
    await until('10 delivered once', () => received.length >= 10)
    assert.equal(noAcks.hits, 10)
    noAcks.remove()
    proxy.cut()
    const results = await Promise.all(sends)
    await sleep(100)
    assert.deepEqual(received, range(1, 10), 'each message delivered once despite the re-send')
    assert.deepEqual(results.map((r) => [r.duplicate, r.offset]), range(1, 10).map((n) => [true, n]))
  } finally {
    await stop()
  }
})
