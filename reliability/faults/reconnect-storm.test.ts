/**
 * R9: a reconnect storm. Hundreds of clients on one node (history on Redis); the node dies
 * (kill -9) and comes back: every client reconnects with full-jitter backoff, resubscribes with
 * its position and recovers. Then a graceful restart: the server's disconnect 4000 carries a
 * retryAfter spread over the shutdown window, so the clients come back spread out, not at once.
 * Figures: reconnect time p50/p99/max from the node being ready, recovery errors, lag p99.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkHistory, seededRandom, startRedis } from '@minisocket/testkit'
import { report, spread } from '../lib/figures.js'
import { startNode } from '../lib/node-proc.js'
import { pick, seed } from '../lib/profile.js'
import { StormClient } from '../lib/storm-client.js'
import { Publisher, sleep, waitUntil } from '../lib/stream.js'
import { needsRedis } from '../lib/needs-redis.js'

test('R9 G2: reconnect storm — a node holding hundreds of clients dies and returns; all recover, spread by jitter and retryAfter', async (t) => {
  if (!needsRedis(t)) return
  const count = pick(300, 2000)
  const windowMs = 3000
  const rng = seededRandom(seed)
  const redis = await startRedis()
  const node = await startNode({ shutdownRetryAfterMs: windowMs, redis: { url: redis.url, prefix: `storm-${process.pid}:` } })
  const channel = 'feed:storm'
  const clients = Array.from({ length: count }, (_, i) => new StormClient(() => node.url, channel, `s${i}`, seededRandom(seed + i)))
  const publisher = new Publisher({ urls: () => [node.url], channel, retry: true })
  try {
    for (let i = 0; i < count; i += 50) await Promise.all(clients.slice(i, i + 50).map((c) => c.start()))
    let done = false
    const stream = publisher.run(50, () => done)
    await sleep(500)

    // 1. kill -9, down for about a second, back on the same port.
    await node.kill9()
    await sleep(800 + Math.floor(rng() * 400))
    await node.restart()
    const readyAfterKill = Date.now()
    await waitUntil(() => clients.every((c) => c.subscribes >= 2), 60_000, 'every client resubscribed after the kill')
    const afterKill = clients.map((c) => (c.subscribedAt[1] as number) - readyAfterKill)
    const lagKill = (await node.status()).lagP99Ms
    await sleep(300)

    // 2. Graceful: disconnect 4000 with a jittered retryAfter, restart right after the exit.
    const shutdownAt = Date.now()
    node.signal('SIGTERM')
    await node.exited()
    await node.restart()
    await waitUntil(() => clients.every((c) => c.subscribes >= 3), 60_000, 'every client resubscribed after the graceful restart')
    const afterShutdown = clients.map((c) => (c.subscribedAt[2] as number) - shutdownAt)
    await sleep(300)
    done = true
    await stream
    await waitUntil(() => {
      const top = publisher.acknowledged[publisher.acknowledged.length - 1]
      return top === undefined || clients.every((c) => c.events.some((e) => e.kind === 'delivery' && e.epoch === top.epoch && e.offset === top.offset))
    }, 20_000, 'clients caught up')

    const r = checkHistory({ acknowledged: publisher.acknowledged, clients: clients.map((c) => ({ client: c.name, events: c.events })) })
    const retryAfters = clients.flatMap((c) => c.retryAfters)
    const errors = clients.reduce((n, c) => n + c.errors, 0)
    const kill = spread(afterKill)
    const graceful = spread(afterShutdown)
    report({
      scenario: `R9 reconnect storm (${count} clients)`,
      covers: ['G2', 'R9'],
      published: publisher.attempted,
      acked: r.acknowledged,
      lost: r.missing.length,
      dupAfter: r.duplicatesAfterDedupe.length,
      recoveredTrue: r.subscribes.recoveredTrue,
      recoveredFalse: r.subscribes.recoveredFalse,
      reconnectMs: kill,
      lagP99Ms: Math.round(lagKill),
      crashes: 0,
      extra: { gracefulP50: graceful.p50, gracefulP99: graceful.p99, gracefulMax: graceful.max, retryAfterMin: Math.min(...retryAfters), retryAfterMax: Math.max(...retryAfters), recoveryErrors: errors },
    })
    assert.ok(r.ok, r.problems.join('\n'))
    assert.equal(errors, 0, 'error replies during the storm')
    assert.equal(r.subscribes.recoveredFalse, 0, 'history on Redis: every resubscribe recovers')
    // The server spreads retryAfter over its window: not one value for everyone.
    assert.equal(retryAfters.length, count)
    assert.ok(Math.max(...retryAfters) - Math.min(...retryAfters) >= windowMs / 2, `retryAfter spread ${Math.min(...retryAfters)}..${Math.max(...retryAfters)}`)
    assert.ok(retryAfters.every((v) => v >= 0 && v <= windowMs))
  } finally {
    publisher.stop()
    for (const c of clients) c.stop()
    await node.stop()
    await redis.stop()
  }
})
