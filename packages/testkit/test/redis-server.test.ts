import assert from 'node:assert/strict'
import { test } from 'node:test'
import { existsSync, readdirSync } from 'node:fs'
import { findRedisServer, pingRedis, startRedis } from '../src/redis-server.js'
import { RedisClient } from './resp-client.js'

const missing = findRedisServer() === undefined
if (missing) console.log('# redis-server not on PATH: redis helper tests skipped (apt-get install -y --no-install-recommends redis-server)')

test('startRedis without persistence: PING answers; kill9 + restart comes back empty', { skip: missing && 'redis-server not installed' }, async () => {
  const redis = await startRedis()
  try {
    assert.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/)
    const c = await RedisClient.connect(redis.port)
    assert.equal(await c.command('SET', 'k', 'v'), 'OK')
    c.close()
    const firstPid = redis.pid
    await redis.kill9()
    assert.equal(await pingRedis(redis.port), false)
    await redis.restart()
    assert.notEqual(redis.pid, firstPid)
    const again = await RedisClient.connect(redis.port)
    assert.equal(await again.command('GET', 'k'), null)
    again.close()
  } finally {
    await redis.stop()
  }
  assert.equal(existsSync(redis.dir), false, 'temp dir removed')
  await assert.rejects(redis.restart(), /restart\(\) after stop\(\)/)
})

test('startRedis with appendonly always: writes survive kill -9', { skip: missing && 'redis-server not installed' }, async () => {
  const redis = await startRedis({ appendonly: 'always' })
  try {
    const c = await RedisClient.connect(redis.port)
    for (let i = 0; i < 3; i++) await c.command('XADD', 's', '*', 'n', String(i))
    c.close()
    await redis.kill9()
    assert.ok(readdirSync(redis.dir).length > 0, 'AOF files written')
    await redis.restart()
    const again = await RedisClient.connect(redis.port)
    assert.equal(await again.command('XLEN', 's'), 3)
    again.close()
  } finally {
    await redis.stop()
  }
})

test('startRedis with a password (requirepass) and a bad arg failing start-up with the log', { skip: missing && 'redis-server not installed' }, async () => {
  const redis = await startRedis({ password: 'secret', args: ['--maxmemory', '64mb'] })
  try {
    assert.equal(redis.url, `redis://:secret@127.0.0.1:${redis.port}`)
    assert.equal(await pingRedis(redis.port), false, 'PING without AUTH is refused')
    const c = await RedisClient.connect(redis.port)
    await assert.rejects(c.command('GET', 'x'), /NOAUTH/)
    assert.equal(await c.command('AUTH', 'secret'), 'OK')
    assert.match(String(await c.command('INFO', 'memory')), /maxmemory:67108864/)
    c.close()
  } finally {
    await redis.stop()
  }
  await assert.rejects(startRedis({ args: ['--no-such-option', '1'], readyTimeoutMs: 5000 }), /exited during start-up/)
})

test('startRedis names the apt-get command when redis-server is missing', async () => {
  const path = process.env.PATH
  process.env.PATH = '/nonexistent'
  try {
    await assert.rejects(startRedis(), /redis-server is not on PATH; install it with: apt-get update && apt-get install -y --no-install-recommends redis-server/)
  } finally {
    process.env.PATH = path
  }
})
