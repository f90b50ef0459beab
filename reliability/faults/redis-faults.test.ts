/**
 * R5, R6, R8: the broker misbehaves under a node. Redis killed and restarted empty (every
 * resubscribe must say `recovered: false`: a new epoch, never a silent gap); killed with AOF
 * `always` and `durableRedis` (epochs survive: 0 acknowledged losses, recovered true); killed
 * with AOF `everysec` (losses possible, never silent); and the node's pub/sub connection killed
 * (CLIENT KILL TYPE pubsub): the node must notice and its clients recover with nothing lost.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { createClient as createRedisClient } from 'redis'
import { startRedis, type RedisInstance, type StartRedisOptions } from '@minisocket/testkit'
import { report, spread } from '../lib/figures.js'
import { startNode } from '../lib/node-proc.js'
import { pick } from '../lib/profile.js'
import { caughtUp, dropped, histories, judge, Publisher, sleep, subscriber, waitUntil } from '../lib/stream.js'
import { needsRedis } from '../lib/needs-redis.js'
import { watchNodes } from '../lib/node-watch.js'

interface Setup {
  redis?: StartRedisOptions
  durableRedis?: boolean
  /** Re-send unacknowledged publications with the same mid (only safe when Redis keeps the dedupe store). */
  retry: boolean
  fault(redis: RedisInstance): Promise<void>
}

async function run(t: TestContext, name: string, covers: string[], setup: Setup) {
  if (!needsRedis(t)) return undefined
  const redis = await startRedis(setup.redis ?? {})
  const node = await startNode({ redis: { url: redis.url, prefix: `rf-${process.pid}:`, ...(setup.durableRedis === undefined ? {} : { durableRedis: setup.durableRedis }) } })
  const channel = 'feed:rf'
  const subs = Array.from({ length: pick(5, 20) }, (_, i) => subscriber(node.url, channel, `c${i}`))
  const publisher = new Publisher({ urls: () => [node.url], channel, retry: setup.retry })
  const watch = watchNodes(() => [node])
  try {
    await waitUntil(() => subs.every((s) => s.subscribes() >= 1), 10_000, 'first subscribes')
    let done = false
    const stream = publisher.run(pick(100, 300), () => done)
    await sleep(1000)
    const faultAt = Date.now()
    const ackedBefore = publisher.acknowledged.length
    await setup.fault(redis)
    const healedAt = Date.now()
    await waitUntil(() => publisher.acknowledged.length > ackedBefore + 5, 20_000, 'publishing resumed')
    const resumedMs = Date.now() - healedAt
    await sleep(1000)
    done = true
    await stream
    await waitUntil(() => caughtUp(subs, publisher.acknowledged), 20_000, 'subscribers caught up')
    await sleep(100)
    const { report: r, figures } = judge(publisher.acknowledged, histories(subs), dropped(subs))
    const reconnect = subs.map((s) => (s.subscribedAt.find((x) => x > faultAt) ?? faultAt) - faultAt)
    report({ scenario: name, covers, published: publisher.attempted, ...figures, reconnectMs: spread(reconnect), ...(await watch.stop()), crashes: 0, extra: { ...figures.extra, publishResumedMs: resumedMs } })
    assert.ok(r.ok, r.problems.join('\n'))
    return { r, subs }
  } finally {
    await watch.stop()
    publisher.stop()
    for (const s of subs) s.client.close()
    await node.stop()
    await redis.stop()
  }
}

const restart = async (redis: RedisInstance): Promise<void> => {
  await redis.kill9()
  await sleep(500)
  await redis.restart()
}

test('R5 G2: Redis killed and restarted empty → a new epoch, every resubscribe recovered:false, never a hidden gap', async (t) => {
  const out = await run(t, 'R5 Redis restarted empty', ['G1', 'G2', 'R5'], { retry: false, fault: restart })
  if (out === undefined) return
  assert.equal(out.r.subscribes.recoveredTrue, 0, 'nothing can be recovered from an empty Redis')
  assert.ok(out.r.subscribes.recoveredFalse >= out.subs.length)
})

test('R6 G1/G2: Redis killed with AOF always + durableRedis → epochs survive, recovered:true, 0 acknowledged lost', async (t) => {
  const out = await run(t, 'R6 Redis kill -9, AOF always, durableRedis', ['G1', 'G2', 'G5', 'R6'], { redis: { appendonly: 'always' }, durableRedis: true, retry: true, fault: restart })
  if (out === undefined) return
  assert.equal(out.r.missing.length, 0)
  assert.equal(out.r.excused, 0)
  assert.equal(out.r.subscribes.recoveredFalse, 0)
})

test('R6 G2: Redis killed with AOF everysec (not durable) → a new epoch; losses, if any, are never silent', async (t) => {
  const out = await run(t, 'R6 Redis kill -9, AOF everysec', ['G2', 'R6'], { redis: { appendonly: 'everysec' }, retry: false, fault: restart })
  if (out === undefined) return
  assert.equal(out.r.subscribes.recoveredTrue, 0, 'a restarted Redis (new run_id) is a new epoch unless durableRedis')
})

test('R8 G1/G3: the node’s pub/sub connection is killed (CLIENT KILL TYPE pubsub) → noticed, clients recover, 0 lost', async (t) => {
  const out = await run(t, 'R8 lost pub/sub subscription', ['G1', 'G3', 'R8'], {
    retry: true,
    fault: async (redis) => {
      const admin = createRedisClient({ url: redis.url })
      admin.on('error', () => undefined)
      await admin.connect()
      try {
        const killed = await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub'])
        assert.ok(Number(killed) >= 1, `killed ${String(killed)} pub/sub connections`)
      } finally {
        await admin.quit()
      }
    },
  })
  if (out === undefined) return
  assert.equal(out.r.missing.length, 0)
  assert.equal(out.r.subscribes.recoveredFalse, 0)
})
