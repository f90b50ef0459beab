/**
 * R10 / G5: the client's outbox is flushed while the server is killed. A real client queues
 * messages while offline, comes back over a throttled link (so the flush takes seconds), and the
 * node is killed with -9 a third of the way through. After the restart the client re-sends
 * whatever was not acknowledged with the same message ids; the node (dedupe store on Redis)
 * must keep each exactly once, in the client's order.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import WebSocket from 'ws'
import { createClient, type PublishResult } from '@minisocket/client/node'
import { createFaultProxy, frameMatchers, startRedis } from '@minisocket/testkit'
import { report } from '../lib/figures.js'
import { readAll } from '../lib/http-publisher.js'
import { startNode } from '../lib/node-proc.js'
import { pick } from '../lib/profile.js'
import { dropped, histories, judge, sleep, subscriber, waitUntil } from '../lib/stream.js'
import { needsRedis } from '../lib/needs-redis.js'
import { watchNodes } from '../lib/node-watch.js'

const apiKey = 'outbox-api-key-0123456789abcdef'

test('R10 G5: outbox flushed while the node is killed -9 → every message lands exactly once, in order', async (t) => {
  if (!needsRedis(t)) return
  const count = pick(150, 500)
  const channel = 'feed:outbox'
  const redis = await startRedis()
  const node = await startNode({ apiKey, redis: { url: redis.url, prefix: `outbox-${process.pid}:` }, limits: { messageRate: 5000, messageBurst: 5000 } })
  const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: node.port } })
  const observer = subscriber(() => node.url, channel, 'observer')
  const sender = createClient({ url: `${proxy.url}/ws`, WebSocket, token: () => 'sender', backoff: { min: 20, max: 200 }, timeout: 5000, outbox: { maxCount: 1000, maxBytes: 1024 * 1024 } })
  const results: Array<PublishResult | Error> = []
  const watch = watchNodes(() => [node])
  try {
    sender.connect()
    await waitUntil(() => sender.state === 'connected' && observer.subscribes() >= 1, 10_000, 'sender and observer connected')
    proxy.refuseNext(100_000)
    proxy.cut()
    await waitUntil(() => sender.state !== 'connected', 5000, 'sender offline')
    const sends = Array.from({ length: count }, (_, i) => sender.publish(channel, { p: 'sender', s: i + 1 }))
    assert.ok(sends.every((s) => s.status === 'queued'), 'queued while offline')
    let acked = 0
    const settled = sends.map((s, i) =>
      s.then(
        (r) => {
          acked++
          results[i] = r
        },
        (e: Error) => {
          results[i] = e
        },
      ),
    )
    // ~60 publish frames a second reach the node: the flush is slow enough to be cut mid-way.
    proxy.setThrottle(6 * 1024, 'toServer')
    proxy.refuseNext(0)
    await waitUntil(() => acked >= count / 3, 30_000, 'a third of the outbox acknowledged')
    // From here acks are lost on the way: the next messages are stored but never acknowledged,
    // so the re-send after the crash must be recognised as duplicates (not stored twice).
    const lostAcks = proxy.suppress('toClient', frameMatchers.jsonType('ack'))
    const storedBefore = observer.delivered()
    await waitUntil(() => observer.delivered() >= storedBefore + 10, 30_000, '10 more stored without acks')
    const ackedBeforeKill = acked
    await node.kill9()
    lostAcks.remove()
    await sleep(500)
    await node.restart()
    let timer: NodeJS.Timeout | undefined
    await Promise.race([Promise.all(settled), new Promise((r) => (timer = setTimeout(r, 60_000)))])
    clearTimeout(timer)
    assert.equal(results.filter((r) => r !== undefined).length, count, 'every publish settled')
    const failures = results.filter((r): r is Error => r instanceof Error)
    assert.deepEqual(failures.map((e) => e.message), [], 'no publish rejected')
    const ok = results as PublishResult[]
    const stored = await readAll(node.http, channel, apiKey)
    const seqs = stored.map((p) => p.data.s)
    const acknowledged = ok.map((r, i) => ({ channel, epoch: r.epoch ?? '', offset: r.offset ?? -1, publisher: 'sender', seq: i + 1 }))
    await waitUntil(() => observer.delivered() >= count, 15_000, 'observer has every message')
    await sleep(100)
    const { report: r, figures } = judge(acknowledged, histories([observer]), dropped([observer]))
    const duplicateAcks = ok.filter((x) => x.duplicate === true).length
    report({ scenario: 'R10 outbox flushed across kill -9 (Redis)', covers: ['G5', 'G6', 'R10'], published: count, ...figures, ...(await watch.stop()), crashes: 0, extra: { ...figures.extra, ackedBeforeKill, duplicateAcks, historyEntries: stored.length } })
    assert.deepEqual(seqs, Array.from({ length: count }, (_, i) => i + 1), 'history holds each message once, in the client’s order')
    assert.ok(r.ok, r.problems.join('\n'))
    assert.equal(observer.delivered(), count, 'the observer saw each message once')
    assert.ok(duplicateAcks >= 10, `re-sends of stored messages were answered as duplicates (${duplicateAcks})`)
  } finally {
    await watch.stop()
    sender.close()
    observer.client.close()
    await proxy.close()
    await node.stop()
    await redis.stop()
  }
})
