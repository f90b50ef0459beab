/**
 * R4 / S12: a subscriber behind a throttled link (the fault proxy lets 32 KiB/s through, with a
 * small proxy buffer so backpressure reaches the server) while 16 KiB publications flow at
 * ~250/s. The server must close it as a slow consumer (4002) and the other subscribers must get
 * every publication, in order, without a single disconnect ("slow consumers hurt only themselves").
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createFaultProxy } from '@minisocket/testkit'
import { mib, report } from '../lib/figures.js'
import { startNode } from '../lib/node-proc.js'
import { pick } from '../lib/profile.js'
import { RawClient } from '../lib/raw-client.js'
import { caughtUp, dropped, judge, Publisher, sleep, subscriber } from '../lib/stream.js'

test('R4 G1/G6: a throttled subscriber is closed with 4002; the others get everything in order, undisturbed', async () => {
  const fast = pick(10, 50)
  // A long heartbeat: the kernel's loopback buffers absorb megabytes before the server's own
  // buffer grows, and a short heartbeat would close the client first (4001, also correct).
  const node = await startNode({ pingIntervalMs: 20_000, pongTimeoutMs: 20_000, limits: { maxOutboundBuffer: 256 * 1024, messageRate: 5000, messageBurst: 5000 } })
  const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: node.port }, highWaterBytes: 16 * 1024 })
  const channel = 'feed:slow'
  const subs = Array.from({ length: fast }, (_, i) => subscriber(node.url, channel, `fast${i}`))
  const publisher = new Publisher({ urls: () => [node.url], channel, retry: true })
  let slow: RawClient | undefined
  let peakKiB = 0
  try {
    slow = await RawClient.connect(`${proxy.url}/ws`, { token: 'slow' })
    await slow.request({ type: 'subscribe', channel })
    proxy.setThrottle(32 * 1024, 'toClient')
    const deadline = Date.now() + 10_000
    while (subs.some((s) => s.subscribes() < 1) && Date.now() < deadline) await sleep(10)
    const padding = 'x'.repeat(16_000)
    // The publisher's own data is {p, s}; the padding rides in a second channel publication so
    // the checker's records stay small: publish padded copies from a raw client in parallel.
    const padder = await RawClient.connect(node.url, { token: 'padder' })
    let done = false
    const pad = (async () => {
      for (let i = 0; i < 100_000 && !done; i++) {
        await padder.request({ type: 'publish', channel, data: { p: 'padder', s: i + 1, pad: padding } })
        await sleep(4)
      }
    })()
    const stream = publisher.run(100, () => done)
    const sampler = setInterval(() => void node.status().then((s) => (peakKiB = Math.max(peakKiB, s.rssKiB)), () => undefined), 200)
    const status = await (async () => {
      for (let i = 0; i < 300; i++) {
        const s = await node.status()
        const d = (s.stats['recentDisconnects'] as Array<{ code: number; user: string }>) ?? []
        if (d.some((x) => x.user === 'slow')) return d
        await sleep(50)
      }
      return []
    })()
    await sleep(500)
    done = true
    clearInterval(sampler)
    await Promise.all([stream, pad])
    padder.terminate()
    const slowClose = status.find((x) => x.user === 'slow')
    assert.equal(slowClose?.code, 4002, `the throttled client was closed as a slow consumer: ${JSON.stringify(status)}`)
    // The fast subscribers: everything the checker's publisher had acknowledged, in order.
    await (async () => {
      const until = Date.now() + 15_000
      while (!caughtUp(subs, publisher.acknowledged) && Date.now() < until) await sleep(10)
    })()
    const onlyPublisher = subs.map((s) => ({ client: s.name, events: s.events.filter((e) => e.kind !== 'delivery' || e.publisher === publisher.id) }))
    const { report: r, figures } = judge(publisher.acknowledged, onlyPublisher, dropped(subs))
    const reconnects = subs.reduce((n, s) => n + s.subscribes() - 1, 0)
    report({ scenario: 'R4 throttled slow consumer', covers: ['G1', 'G6', 'R4', 'S12'], published: publisher.attempted, ...figures, rssPeakMiB: mib(peakKiB), crashes: 0, extra: { ...figures.extra, slowCloseCode: slowClose?.code ?? 0, fastReconnects: reconnects } })
    // Gaps in offsets caused by the padder's publications are not losses: the checker only
    // judges the publisher's own acknowledged set, and the fast clients must have all of it.
    assert.equal(r.missing.length, 0, r.problems.join('\n'))
    assert.equal(r.orderViolations.length, 0)
    assert.equal(reconnects, 0, 'fast subscribers were never disconnected')
  } finally {
    slow?.terminate()
    publisher.stop()
    for (const s of subs) s.client.close()
    await proxy.close()
    await node.stop()
  }
})
