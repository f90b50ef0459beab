/**
 * R1 (multi-node): N nodes on one Redis behind a round-robin balancer. A backend publishes over
 * the HTTP API with an Idempotency-Key per publication and retries on another node whenever one
 * fails; nodes are killed with -9 in turn mid-stream and restarted. Subscribers (real clients)
 * reconnect through the balancer to a live node and recover. Every resubscribe must be
 * `recovered: true`, nothing acknowledged lost or duplicated, and every key in history exactly
 * once (G1, G2, G4, G6).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkIdempotency, seededRandom, startRedis } from '@minisocket/testkit'
import { startBalancer } from '../lib/balancer.js'
import { report, spread } from '../lib/figures.js'
import { HttpPublisher, readAll } from '../lib/http-publisher.js'
import { startNode, type NodeHandle } from '../lib/node-proc.js'
import { pick, seed } from '../lib/profile.js'
import { caughtUp, dropped, histories, judge, sleep, subscriber, waitUntil } from '../lib/stream.js'
import { needsRedis } from '../lib/needs-redis.js'
import { watchNodes } from '../lib/node-watch.js'

const apiKey = 'multinode-api-key-0123456789'

test('R1 G1/G2/G4/G6: kill -9 of nodes in turn on Redis; HTTP publisher retries on another node → 0 lost, 0 duplicated, one entry per key', async (t) => {
  if (!needsRedis(t)) return
  const nodeCount = pick(2, 3)
  const clients = pick(10, 40)
  const kills = pick(4, 12)
  const rate = pick(200, 500)
  const gapMs = pick(1500, 3000)
  const rng = seededRandom(seed)
  const channel = 'feed:mn'
  const redis = await startRedis()
  const nodes: NodeHandle[] = []
  const balancer = await startBalancer(() => nodes.filter((n) => n.alive).map((n) => n.port))
  const killedAt: number[] = []
  const started = Date.now()
  const subs: ReturnType<typeof subscriber>[] = []
  const watch = watchNodes(() => nodes)
  try {
    // History must hold the whole run (the full profile publishes ~26k) so that every key can be
    // checked in it; with the default 10k the oldest keys are trimmed and look missing.
    for (let i = 0; i < nodeCount; i++) nodes.push(await startNode({ nodeId: `n${i}`, apiKey, feedHistory: 100_000, redis: { url: redis.url, prefix: `mn-${process.pid}:` } }))
    for (let i = 0; i < clients; i++) subs.push(subscriber(balancer.url, channel, `c${i}`))
    await waitUntil(() => subs.every((s) => s.subscribes() >= 1), 10_000, 'first subscribes')
    const publisher = new HttpPublisher(() => nodes.map((n) => n.http), channel, apiKey)
    let done = false
    const stream = publisher.run(rate, () => done)
    for (let k = 0; k < kills; k++) {
      await sleep(gapMs)
      const victim = nodes[k % nodeCount] as NodeHandle
      killedAt.push(Date.now())
      await victim.kill9()
      await sleep(200 + Math.floor(rng() * 800))
      await victim.restart()
    }
    await sleep(gapMs)
    done = true
    await stream
    await waitUntil(() => caughtUp(subs, publisher.acknowledged), 20_000, 'subscribers caught up')
    await sleep(100)

    const { report: r, figures } = judge(publisher.acknowledged, histories(subs), dropped(subs))
    const nodeFigures = await watch.stop()
    const stored = await readAll(nodes[0]!.http, channel, apiKey)
    const keys = checkIdempotency({ keys: publisher.keysSent, entries: stored, keyOf: (p) => `${p.data.p}-${p.data.s}` })
    // Reconnect time: from a kill to each affected client's next subscribed event.
    const reconnect = killedAt.flatMap((at) => subs.flatMap((s) => (s.disconnectedAt.some((d) => d >= at && d < at + 1000) ? [(s.subscribedAt.find((x) => x >= at) ?? at) - at] : [])))
    report({
      scenario: `R1 multi-node kill -9 on Redis (${nodeCount} nodes)`,
      covers: ['G1', 'G2', 'G4', 'G6', 'R1'],
      published: publisher.attempted,
      ...figures,
      reconnectMs: spread(reconnect),
      ...nodeFigures,
      crashes: 0,
      durationMs: Date.now() - started,
      extra: { ...figures.extra, kills, publishRetries: publisher.retries, replayedByKey: publisher.replayed, historyEntries: stored.length, keysDuplicated: keys.duplicated.length },
    })
    assert.ok(r.ok, r.problems.join('\n'))
    assert.equal(r.missing.length, 0)
    assert.equal(r.subscribes.recoveredFalse, 0, 'history survives a node: every resubscribe recovers')
    assert.ok(r.subscribes.recoveredTrue >= kills, `recoveries: ${r.subscribes.recoveredTrue}`)
    assert.equal(publisher.acknowledged.length, publisher.attempted)
    assert.deepEqual(keys.duplicated, [], 'G4: an Idempotency-Key stored twice')
    assert.deepEqual(keys.missing, [])
  } finally {
    await watch.stop()
    for (const s of subs) s.client.close()
    await balancer.close()
    await Promise.all(nodes.map((n) => n.stop()))
    await redis.stop()
  }
})
