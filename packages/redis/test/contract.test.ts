/**
 * The engine contract suites (@minisocket/server/contract) against Redis: two engines with the
 * same prefix act as two nodes on one redis-server this file starts on a free loopback port.
 */
import { after, before } from 'node:test'
import { runBrokerContract, runPresenceContract } from '@minisocket/server/contract'
import { createRedisEngine } from '../src/index.js'
import { gateOnRedis, startRedis, type RedisServer } from './redis-server.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

if (gateOnRedis('Redis contract suites')) {
  let redis: RedisServer | undefined
  let fixtures = 0
  before(async () => {
    redis = await startRedis()
  })
  after(async () => {
    await redis?.stop()
  })

  const nodes = () => {
    if (redis === undefined) throw new Error('redis-server not started')
    // A prefix per fixture: tests share the server, never each other's keys.
    const prefix = `contract${++fixtures}:`
    return [createRedisEngine({ url: redis.url, prefix }), createRedisEngine({ url: redis.url, prefix })] as const
  }

  runBrokerContract('redis', async () => {
    const [a, b] = nodes()
    return {
      node: a.broker,
      peer: b.broker,
      advance: sleep,
      dispose: async () => {
        await Promise.all([a.broker.close(), b.broker.close(), a.presence.close(), b.presence.close()])
      },
    }
  })

  runPresenceContract('redis', async () => {
    const [a, b] = nodes()
    return {
      node: a.presence,
      peer: b.presence,
      advance: sleep,
      dispose: async () => {
        await Promise.all([a.broker.close(), b.broker.close(), a.presence.close(), b.presence.close()])
      },
    }
  })
}
