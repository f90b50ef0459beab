/**
 * Redis-specific behaviour the contract suites cannot show: Redis down and back, a killed
 * pub/sub connection, scripts flushed, expired presence turned into one leave, bad input and
 * malformed pub/sub traffic. Each test starts its own redis-server on a free loopback port.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '@minisocket/protocol'
import { recoveryOutcome } from '@minisocket/server'
import { Recorder, eventually, uniqueChannel } from '@minisocket/server/contract'
import { createClient } from 'redis'
import { EngineUnavailableError, backoffDelay, createRedisEngine, type RedisEngine } from '../src/index.js'
import { freePort, gateOnRedis, startRedis, type RedisServer } from './redis-server.js'

const KEEP = { size: 100, ttlMs: 60_000 }

async function withRedis(body: (redis: RedisServer, engines: (prefix?: string) => RedisEngine) => Promise<void>): Promise<void> {
  const redis = await startRedis()
  const made: RedisEngine[] = []
  try {
    await body(redis, (prefix = 'r:') => {
      const engine = createRedisEngine({ url: redis.url, prefix, reconnectBaseMs: 20, reconnectMaxMs: 200, commandTimeoutMs: 1000, presenceSweepMs: 100 })
      made.push(engine)
      return engine
    })
  } finally {
    for (const e of made) await Promise.all([e.broker.close(), e.presence.close()])
    await redis.stop()
  }
}

if (gateOnRedis('Redis resilience tests')) {
  describe('redis engine resilience', () => {
    it('Redis down: publish rejects with EngineUnavailableError (code 109) at once; after a restart it publishes again in a new epoch', async () => {
      await withRedis(async (redis, engine) => {
        const { broker } = engine()
        await broker.start(new Recorder())
        const ch = uniqueChannel('down')
        const before = await broker.publish(ch, 1, undefined, { history: KEEP })
        await redis.kill9()
        const started = Date.now()
        const err = await broker.publish(ch, 2, undefined, { history: KEEP }).then(() => undefined, (e: unknown) => e)
        assert.ok(err instanceof EngineUnavailableError, `expected EngineUnavailableError, got ${String(err)}`)
        assert.equal(err.code, ErrorCode.Unavailable)
        assert.ok(Date.now() - started < 1500, 'fails within the command timeout, does not queue')
        await redis.restart()
        const restarted = Date.now()
        let after: Awaited<ReturnType<typeof broker.publish>> | undefined
        for (let i = 0; i < 200 && after === undefined; i++) {
          after = await broker.publish(ch, 3, undefined, { history: KEEP }).catch(() => undefined)
          if (after === undefined) await new Promise((r) => setTimeout(r, 25))
        }
        assert.ok(after !== undefined, 'publishing resumed')
        console.log(`publish resumed ${Date.now() - restarted} ms after redis-server answered again (reconnect backoff max 200 ms)`)
        assert.notEqual(after.epoch, before.epoch, 'Redis came back empty: a new epoch')
        assert.equal(after.offset, 1)
      })
    })

    it('Redis restarted from its AOF: a new epoch by default (the reload may have lost writes); the same epoch with durableRedis', async () => {
      const redis = await startRedis({ aof: true })
      const strict = createRedisEngine({ url: redis.url, prefix: 's:', reconnectBaseMs: 20, reconnectMaxMs: 100 })
      const durable = createRedisEngine({ url: redis.url, prefix: 'd:', reconnectBaseMs: 20, reconnectMaxMs: 100, durableRedis: true })
      try {
        await strict.broker.start(new Recorder())
        await durable.broker.start(new Recorder())
        const ch = uniqueChannel('aof')
        const s1 = await strict.broker.publish(ch, 1, undefined, { history: KEEP })
        const d1 = await durable.broker.publish(ch, 1, undefined, { history: KEEP })
        await redis.restart()
        const read = async (engine: RedisEngine, epoch: string) => {
          for (let i = 0; i < 200; i++) {
            const since = { epoch, offset: 0 }
            const result = await engine.broker.history(ch, { since }, KEEP).catch(() => undefined)
            if (result !== undefined) return recoveryOutcome(since, result)
            await new Promise((r) => setTimeout(r, 25))
          }
          throw new Error('history never answered after the restart')
        }
        assert.deepEqual(await read(strict, s1.epoch ?? ''), { recovered: false, publications: [] })
        const kept = await read(durable, d1.epoch ?? '')
        assert.equal(kept.recovered, true)
        assert.deepEqual(kept.publications, [{ data: 1, offset: 1 }])
        assert.deepEqual(await durable.broker.publish(ch, 2, undefined, { history: KEEP }), { epoch: d1.epoch, offset: 2, duplicate: false })
      } finally {
        await Promise.all([strict.broker.close(), strict.presence.close(), durable.broker.close(), durable.presence.close()])
        await redis.stop()
      }
    })

    it('a killed pub/sub connection is re-subscribed and reported once through onResync; delivery continues', async () => {
      await withRedis(async (redis, engine) => {
        const { broker } = engine()
        const rec = new Recorder()
        await broker.start(rec)
        const ch = uniqueChannel('resync')
        await broker.subscribe(ch)
        await broker.publish(ch, 'before', undefined, { history: KEEP })
        await eventually(() => rec.pubs(ch).length === 1, 'first delivery')
        const admin = createClient({ url: redis.url })
        admin.on('error', () => undefined)
        await admin.connect()
        try {
          const killed = await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub'])
          assert.equal(killed, 1)
        } finally {
          await admin.close()
        }
        await eventually(() => rec.resyncs === 1, 'onResync after the pub/sub link came back')
        await broker.publish(ch, 'after', undefined, { history: KEEP })
        await eventually(() => rec.pubs(ch).length === 2, 'delivery after re-subscribe')
        assert.deepEqual(rec.pubs(ch).map((p) => p.offset), [1, 2])
        assert.equal(broker.linkState, 'live')
      })
    })

    it('works after SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
      await withRedis(async (redis, engine) => {
        const { broker } = engine()
        await broker.start(new Recorder())
        const ch = uniqueChannel('flush')
        await broker.publish(ch, 1, undefined, { history: KEEP })
        const admin = createClient({ url: redis.url })
        await admin.connect()
        await admin.sendCommand(['SCRIPT', 'FLUSH'])
        await admin.close()
        assert.equal((await broker.publish(ch, 2, undefined, { history: KEEP })).offset, 2)
        assert.equal((await broker.history(ch, {}, KEEP)).offset, 2)
      })
    })

    it('an expired presence member becomes exactly one leave on every node, whichever node sweeps', async () => {
      await withRedis(async (_redis, engine) => {
        const a = engine()
        const b = engine()
        const recA = new Recorder()
        const recB = new Recorder()
        await a.broker.start(recA)
        await b.broker.start(recB)
        const ch = uniqueChannel('expire')
        await a.broker.subscribe(ch)
        await b.broker.subscribe(ch)
        const ghost = { client: 'c-ghost', user: 'ghost', state: 'online' as const }
        const stays = { client: 'c-stays', user: 'stays', state: 'online' as const }
        // Both nodes watch the channel (each has a local member), so both sweep it.
        await a.presence.add(ch, ghost, 200)
        await b.presence.add(ch, stays, 60_000)
        await a.presence.add(ch, { ...stays, client: 'c-stays-a' }, 60_000)
        await eventually(() => (recA.leaves.get(ch)?.length ?? 0) >= 1 && (recB.leaves.get(ch)?.length ?? 0) >= 1, 'leave on both nodes', 3000)
        await new Promise((r) => setTimeout(r, 300))
        assert.deepEqual(recA.leaves.get(ch), [ghost])
        assert.deepEqual(recB.leaves.get(ch), [ghost])
        assert.deepEqual((await b.presence.list(ch)).map((m) => m.client).sort(), ['c-stays', 'c-stays-a'])
      })
    })

    it('drops malformed pub/sub messages on a subscribed channel without crashing, then keeps delivering', async () => {
      await withRedis(async (redis, engine) => {
        const { broker } = engine('m:')
        const rec = new Recorder()
        await broker.start(rec)
        const ch = uniqueChannel('garbage')
        await broker.subscribe(ch)
        const admin = createClient({ url: redis.url })
        await admin.connect()
        for (const junk of ['not json', '[]', '{"t":"p"}', '{"t":"j","m":5}', '{"t":"zzz"}']) await admin.publish(`m:{${ch}}:pub`, junk)
        await admin.close()
        await broker.publish(ch, 'ok', undefined, {})
        await eventually(() => rec.pubs(ch).length === 1, 'the good publication')
        assert.deepEqual(rec.pubs(ch), [{ data: 'ok' }])
        assert.equal(rec.joins.size, 0)
      })
    })

    it('rejects bad input with a clear error before touching Redis', async () => {
      await withRedis(async (_redis, engine) => {
        const { broker, presence } = engine()
        await broker.start(new Recorder())
        await assert.rejects(broker.publish('', 1, undefined, {}), TypeError)
        await assert.rejects(broker.publish('c', 1, undefined, { history: { size: -1, ttlMs: 10 } }), /history.size must be a positive safe integer/)
        await assert.rejects(broker.publish('c', 1, undefined, { history: { size: 10, ttlMs: 0 } }), /history.ttlMs/)
        await assert.rejects(broker.history('c', { since: { epoch: 'e', offset: -1 } }, KEEP), /since.offset/)
        await assert.rejects(broker.history('c', { limit: 1.5 }, KEEP), /limit/)
        await assert.rejects(presence.add('c', { client: '', user: '', state: 'online' }, 1000), /member.client/)
        await assert.rejects(presence.add('c', { client: 'x', user: '', state: 'online' }, 0), /ttlMs/)
        assert.throws(() => createRedisEngine({ url: '' }), /url/)
      })
    })
  })

  it('start() rejects with EngineUnavailableError when Redis cannot be reached within connectTimeoutMs', async () => {
    const port = await freePort()
    const { broker, presence } = createRedisEngine({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300, reconnectBaseMs: 20, reconnectMaxMs: 50 })
    try {
      await assert.rejects(broker.start(new Recorder()), EngineUnavailableError)
      await assert.rejects(presence.list('c'), EngineUnavailableError)
    } finally {
      await broker.close()
      await presence.close()
    }
  })

  it('backoff doubles from base to max with equal jitter', () => {
    assert.deepEqual([0, 1, 2, 3, 10].map((n) => backoffDelay(n, 50, 1000, () => 0)), [25, 50, 100, 200, 500])
    assert.deepEqual([0, 1, 2, 3, 10].map((n) => backoffDelay(n, 50, 1000, () => 1)), [50, 100, 200, 400, 1000])
  })
}
