/**
 * The durable outbox through the platform's sync storage: an app killed with messages in its
 * outbox, restarted as a new emulator instance over the same storage backend, delivers every
 * message exactly once — checked in the server's history, not in the client's own view.
 * The killed instance's client runs on a FakeClock that is never advanced, so nothing of it
 * survives the kill (a real kill stops its timers too); its outbox is never closed (close()
 * would empty it, which a kill does not do).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMemoryStorage } from '@minisocket/mp'
import { FakeClock } from '@minisocket/testkit'
import { createClient as createMyClient } from '../../src/entries/my.js'
import { createClient } from '../../src/entries/wx.js'
import { emulate, sleep, startServer, until } from './helpers.js'

const NAMESPACES = [{ match: 'inbox:*', historySize: 1_000, publish: 'all' as const }]
// Starts at the real time: the restarted client runs on real timers, and an entry whose `at` is
// older than the outbox maxAge (5 min) is dropped as expired, as it should be.
const frozenClock = (): FakeClock => new FakeClock(Date.now())
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1)
const seqsIn = async (server: Awaited<ReturnType<typeof startServer>>, channel: string): Promise<number[]> =>
  (await server.history(channel, { limit: 1_000 })).publications.map((p) => (p.data as { seq: number }).seq)

for (const platform of ['wx', 'my'] as const) {
  test(`${platform}: killed offline with 20 queued messages → after restart all 20 land exactly once, in order`, async () => {
    const make = platform === 'wx' ? createClient : createMyClient
    const server = await startServer({ namespaces: NAMESPACES })
    const storage = createMemoryStorage()
    const first = emulate(platform, { storage, network: 'none' })
    const dead = make({ url: server.url, api: first.api, clock: frozenClock() })
    let second: ReturnType<typeof emulate> | undefined
    let client: ReturnType<typeof createClient> | undefined
    try {
      dead.connect()
      const statuses = range(20).map((seq) => dead.publish('inbox:1', { seq }).status)
      assert.deepEqual(new Set(statuses), new Set(['queued']))
      assert.ok(storage.keys().length > 0, 'the outbox is in the platform storage')
      first.dispose() // the app is killed

      second = emulate(platform, { storage })
      client = make({ url: server.url, api: second.api, backoff: { min: 10, max: 50 } })
      client.connect()
      await until('20 in the history', () => server.stats().publications >= 20)
      await until('the stored outbox is emptied', () => storage.keys().length === 0)
      await sleep(50) // a duplicate would land here
      assert.deepEqual(await seqsIn(server, 'inbox:1'), range(20))
    } finally {
      client?.close()
      second?.dispose()
      await server.close({ drainMs: 0 })
    }
  })
}

test('killed with messages in flight (stored by the server, acks lost): the restart re-sends them and the server keeps each once (G5)', async () => {
  // Deduplication is per user across sessions: an authenticated user, as a real app has.
  const server = await startServer({ namespaces: NAMESPACES, authenticate: () => ({ user: 'u1' }) })
  const storage = createMemoryStorage()
  const first = emulate('wx', { storage })
  // The app dies before the last 10 acks reach it: the platform object drops them on the way in.
  const api = withLostAcks(first.api, 10)
  const dead = createClient({ url: server.url, api, clock: frozenClock(), token: () => 't' })
  let second: ReturnType<typeof emulate> | undefined
  let client: ReturnType<typeof createClient> | undefined
  try {
    dead.connect()
    await until('connected', () => dead.state === 'connected')
    for (const seq of range(20)) void dead.publish('inbox:2', { seq })
    await until('all 20 stored by the server', () => server.stats().publications === 20)
    const stored = (): unknown[] => JSON.parse(first.api.getStorageSync<string>('minisocket:outbox') || '[]') as unknown[]
    await until('the first 10 acks arrived; the 10 unacknowledged messages are still in the stored outbox', () => stored().length === 10)
    first.dispose() // killed

    second = emulate('wx', { storage })
    client = createClient({ url: server.url, api: second.api, token: () => 't', backoff: { min: 10, max: 50 } })
    client.connect()
    await until('the stored outbox is emptied', () => storage.keys().length === 0)
    await sleep(50)
    assert.deepEqual(await seqsIn(server, 'inbox:2'), range(20))
    assert.equal(server.stats().publications, 20, 'the 10 re-sent messages were recognised as duplicates')
  } finally {
    client?.close()
    second?.dispose()
    await server.close({ drainMs: 0 })
  }
})

/** The wx platform object, except that task messages carrying an `ack` after the first `keep` are dropped. */
function withLostAcks<A extends { connectSocket(option: never): unknown }>(api: A, keep: number): A {
  let acks = 0
  const connectSocket = (option: never): unknown => {
    const task = api.connectSocket(option) as { onMessage(fn: (res: { data: unknown }) => void): void }
    const onMessage = task.onMessage.bind(task)
    task.onMessage = (fn) => onMessage((res) => {
      if (typeof res.data === 'string' && res.data.includes('"type":"ack"') && ++acks > keep) return
      fn(res)
    })
    return task
  }
  return { ...api, connectSocket }
}
