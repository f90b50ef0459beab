/**
 * R1 (single node): kill -9 of the node during a stream, then a restart on the same port.
 * Memory engine: the history dies with the process, so the restarted node has a new epoch and
 * every resubscribe must say `recovered: false` (the checker excuses what it covers) — never
 * `true` across the gap. Redis engine: history survives the node, so every resubscribe is
 * `recovered: true` and nothing acknowledged is lost (G1, G2, G6; G5 for the publisher's mids).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { seededRandom, startRedis } from '@minisocket/testkit'
import { report, spread } from '../lib/figures.js'
import { startNode, type NodeHandle } from '../lib/node-proc.js'
import { pick, seed } from '../lib/profile.js'
import { caughtUp, dropped, histories, judge, Publisher, sleep, type Subscriber, subscriber, waitUntil } from '../lib/stream.js'
import { needsRedis } from '../lib/needs-redis.js'
import { type NodeWatchFigures, watchNodes } from '../lib/node-watch.js'

interface Outcome {
  subs: Subscriber[]
  publisher: Publisher
  readyAt: number[]
  durationMs: number
  node: NodeWatchFigures
}

async function killDuringStream(node: NodeHandle, retry: boolean): Promise<Outcome> {
  const clients = pick(10, 50)
  const kills = pick(2, 8)
  const rate = pick(200, 500)
  const streamMs = pick(6000, 40_000)
  const rng = seededRandom(seed)
  const channel = 'feed:r1'
  const started = Date.now()
  const subs = Array.from({ length: clients }, (_, i) => subscriber(() => node.url, channel, `c${i}`))
  const publisher = new Publisher({ urls: () => [node.url], channel, retry })
  const readyAt: number[] = []
  const watch = watchNodes(() => [node])
  try {
    await waitUntil(() => subs.every((s) => s.subscribes() >= 1), 10_000, 'first subscribes')
    let done = false
    const stream = publisher.run(rate, () => done)
    for (let k = 0; k < kills; k++) {
      await sleep(streamMs / (kills + 1))
      await node.kill9()
      await sleep(300 + Math.floor(rng() * 700))
      await node.restart()
      readyAt.push(Date.now())
      await waitUntil(() => subs.every((s) => s.subscribes() >= k + 2), 15_000, `resubscribes after kill ${k + 1}`)
    }
    await sleep(streamMs / (kills + 1))
    done = true
    await stream
    await waitUntil(() => caughtUp(subs, publisher.acknowledged), 20_000, 'subscribers caught up')
    await sleep(100)
    return { subs, publisher, readyAt, durationMs: Date.now() - started, node: await watch.stop() }
  } finally {
    await watch.stop()
    publisher.stop()
    for (const s of subs) s.client.close()
  }
}

/** For each restart, how long each client took from the node being ready to resubscribed. */
function reconnectTimes(o: Outcome): number[] {
  return o.readyAt.flatMap((ready) => o.subs.map((s) => (s.subscribedAt.find((t) => t >= ready) ?? ready) - ready))
}

test('R1 G1/G2/G6: kill -9 of a memory node mid-stream → new epoch, recovered:false covers the loss, never a hidden gap', async () => {
  const node = await startNode({})
  try {
    const o = await killDuringStream(node, false)
    const { report: r, figures } = judge(o.publisher.acknowledged, histories(o.subs), dropped(o.subs))
    report({ scenario: 'R1 kill -9, memory node', covers: ['G1', 'G2', 'G6', 'R1'], published: o.publisher.attempted, ...figures, reconnectMs: spread(reconnectTimes(o)), ...o.node, crashes: 0, durationMs: o.durationMs })
    assert.ok(r.ok, r.problems.join('\n'))
    assert.equal(r.subscribes.recoveredTrue, 0, 'a memory node cannot recover across its own restart')
    assert.ok(r.subscribes.recoveredFalse >= o.readyAt.length * o.subs.length, `recovered:false ${r.subscribes.recoveredFalse}`)
    assert.ok(o.publisher.acknowledged.length > 0)
  } finally {
    await node.stop()
  }
})

test('R1 G1/G2/G5/G6: kill -9 of a node on Redis mid-stream → recovered:true every time, 0 lost, 0 duplicated', async (t) => {
  if (!needsRedis(t)) return
  const redis = await startRedis()
  const node = await startNode({ redis: { url: redis.url, prefix: `r1-${process.pid}:` } })
  try {
    const o = await killDuringStream(node, true)
    const { report: r, figures } = judge(o.publisher.acknowledged, histories(o.subs), dropped(o.subs))
    report({ scenario: 'R1 kill -9, node on Redis', covers: ['G1', 'G2', 'G5', 'G6', 'R1'], published: o.publisher.attempted, ...figures, reconnectMs: spread(reconnectTimes(o)), ...o.node, crashes: 0, durationMs: o.durationMs, extra: { ...figures.extra, publishRetries: o.publisher.retries, duplicateAcks: o.publisher.duplicatesAcked } })
    assert.ok(r.ok, r.problems.join('\n'))
    assert.equal(r.missing.length, 0)
    assert.equal(r.excused, 0, 'nothing should need excusing when history survives')
    assert.equal(r.subscribes.recoveredFalse, 0)
    assert.equal(r.subscribes.recoveredTrue, o.readyAt.length * o.subs.length)
    assert.equal(o.publisher.acknowledged.length, o.publisher.attempted, 'with retries every publication is acknowledged')
  } finally {
    await node.stop()
    await redis.stop()
  }
})
