/**
 * R11 / G7: presence across nodes on Redis. Members on node A, an observer on node B following
 * join/leave events. A crash of A (kill -9) makes each member leave exactly once on B within the
 * stated bound (online TTL = 2 × (ping + pong), plus a sweep: docs/scaling.md); a pause of A
 * (SIGSTOP) shorter than the TTL makes no false leave; a longer pause gives leaves and then,
 * after SIGCONT, the members back (join) — eventually consistent; a suspended client (close
 * 4008, a hidden mini-program) shows `away`, not gone, until its resume window ends.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { startRedis, type RedisInstance } from '@minisocket/testkit'
import { report, spread } from '../lib/figures.js'
import { startNode, type NodeHandle } from '../lib/node-proc.js'
import { pick } from '../lib/profile.js'
import { RawClient, type Frame } from '../lib/raw-client.js'
import { sleep, waitUntil } from '../lib/stream.js'
import { needsRedis } from '../lib/needs-redis.js'

const PING = 500
const PONG = 500
const SWEEP = 250
const TTL = 2 * (PING + PONG)
const RESUME = 2000
const channel = 'room:presence'

interface Cluster {
  redis: RedisInstance
  a: NodeHandle
  b: NodeHandle
  members: RawClient[]
  observer: RawClient
  /** [at, frame] of every join/leave the observer saw. */
  seen: Array<{ at: number; type: string; client: string; state: string }>
}

async function cluster(t: TestContext, count: number, body: (c: Cluster) => Promise<void>): Promise<void> {
  if (!needsRedis(t)) return
  const redis = await startRedis()
  const config = { pingIntervalMs: PING, pongTimeoutMs: PONG, resumeWindowMs: RESUME, redis: { url: redis.url, prefix: `pr-${process.pid}:` } }
  const nodes: NodeHandle[] = []
  const clients: RawClient[] = []
  try {
    nodes.push(await startNode({ ...config, nodeId: 'a' }), await startNode({ ...config, nodeId: 'b' }))
    const [a, b] = nodes as [NodeHandle, NodeHandle]
    const observer = await RawClient.connect(b.url, { token: 'observer' })
    clients.push(observer)
    const seen: Cluster['seen'] = []
    observer.onFrame((f: Frame) => {
      if ((f.type === 'join' || f.type === 'leave') && f['channel'] === channel) {
        const m = f['member'] as { client: string; state: string }
        seen.push({ at: Date.now(), type: f.type, client: m.client, state: m.state })
      }
    })
    await observer.request({ type: 'subscribe', channel })
    const members = await Promise.all(Array.from({ length: count }, (_, i) => RawClient.connect(a.url, { token: `member${i}` })))
    clients.push(...members)
    await Promise.all(members.map((m) => m.request({ type: 'subscribe', channel })))
    await waitUntil(() => new Set(seen.filter((s) => s.type === 'join').map((s) => s.client)).size >= count, 10_000, 'every join seen on B')
    await body({ redis, a, b, members, observer, seen })
  } finally {
    for (const c of clients) c.terminate()
    for (const n of nodes) {
      if (n.alive) n.signal('SIGCONT')
      await n.stop()
    }
    await redis.stop()
  }
}

const clientIds = (members: RawClient[]): string[] => members.map((m) => m.connected?.['client'] as string)

test('R11 G7: kill -9 of a node holding members → each leaves exactly once on the other node within TTL + sweep', async (t) => {
  const count = pick(20, 100)
  await cluster(t, count, async ({ a, b, members, observer, seen }) => {
    const ids = clientIds(members)
    const killedAt = Date.now()
    await a.kill9()
    await waitUntil(() => ids.every((id) => seen.some((s) => s.type === 'leave' && s.client === id && s.at >= killedAt)), 15_000, 'every member left')
    await sleep(SWEEP * 4)
    const leaves = seen.filter((s) => s.type === 'leave' && s.at >= killedAt)
    const times = leaves.map((s) => s.at - killedAt)
    const bound = TTL + SWEEP
    const left = await observer.request({ type: 'presence', channel })
    report({ scenario: 'R11 presence after kill -9 of a node', covers: ['G7', 'R11'], crashes: 0, extra: { members: count, leaves: leaves.length, leaveMsP50: spread(times).p50, leaveMsMax: spread(times).max, boundMs: bound } })
    assert.equal(leaves.length, count, 'each member left exactly once')
    // The stated bound, with 1 s of slack for scheduling on a loaded 2-core machine.
    assert.ok(Math.max(...times) <= bound + 1000, `last leave ${Math.max(...times)} ms after the kill; bound ${bound} ms`)
    const remaining = (left['members'] as Array<{ client: string }>).map((m) => m.client)
    assert.deepEqual(remaining.filter((c) => ids.includes(c)), [], 'presence query on B still lists members of the dead node')
    assert.equal(b.alive, true)
  })
})

test('R11 G7: a pause of the node shorter than the TTL (SIGSTOP) → no false leave', async (t) => {
  const count = pick(10, 50)
  await cluster(t, count, async ({ a, seen }) => {
    const pausedAt = Date.now()
    a.signal('SIGSTOP')
    await sleep(TTL / 2 - 200)
    a.signal('SIGCONT')
    await sleep(TTL + SWEEP * 2)
    const falseLeaves = seen.filter((s) => s.type === 'leave' && s.at >= pausedAt).length
    report({ scenario: 'R11 presence, pause shorter than the TTL', covers: ['G7', 'R11'], crashes: 0, extra: { members: count, pauseMs: TTL / 2 - 200, falseLeaves } })
    assert.equal(falseLeaves, 0, 'a pause shorter than the TTL produced leaves')
  })
})

test('R11 G7: a pause longer than the TTL → each member leaves once, then comes back with a join after SIGCONT', async (t) => {
  const count = pick(10, 50)
  await cluster(t, count, async ({ a, members, observer, seen }) => {
    const ids = clientIds(members)
    const pausedAt = Date.now()
    a.signal('SIGSTOP')
    await sleep(TTL + SWEEP * 4 + 500)
    const leavesDuringPause = seen.filter((s) => s.type === 'leave' && s.at >= pausedAt).length
    a.signal('SIGCONT')
    const resumedAt = Date.now()
    // Eventually consistent: the members are alive and heartbeating again, so they must be
    // present again — in the presence query, and announced to subscribers with a join.
    let rejoined = 0
    let listed = 0
    const deadline = Date.now() + 4000
    while (Date.now() < deadline) {
      rejoined = new Set(seen.filter((s) => s.type === 'join' && s.at >= resumedAt).map((s) => s.client)).size
      const reply = await observer.request({ type: 'presence', channel })
      listed = (reply['members'] as Array<{ client: string }>).filter((m) => ids.includes(m.client)).length
      if (rejoined >= count && listed >= count) break
      await sleep(200)
    }
    report({ scenario: 'R11 presence, pause longer than the TTL', covers: ['G7', 'R11'], crashes: 0, extra: { members: count, leavesDuringPause, listedAfterResume: listed, rejoinedAfterResume: rejoined } })
    assert.equal(leavesDuringPause, count, 'a pause longer than the TTL: each member left once')
    assert.equal(listed, count, 'members back in the presence query after the pause')
    assert.equal(rejoined, count, 'members re-announced with a join after the pause')
  })
})

test('R11 G7: a suspended client (4008) is away, not gone, for its resume window; then it leaves', async (t) => {
  await cluster(t, 1, async ({ members, seen }) => {
    const [member] = members as [RawClient]
    const id = member.connected?.['client'] as string
    const suspendedAt = Date.now()
    member.close(4008)
    await waitUntil(() => seen.some((s) => s.type === 'join' && s.client === id && s.state === 'away'), 5000, 'away upsert')
    await waitUntil(() => seen.some((s) => s.type === 'leave' && s.client === id), RESUME + TTL + 5000, 'leave after the resume window')
    const awayAt = seen.find((s) => s.type === 'join' && s.client === id && s.state === 'away')!.at - suspendedAt
    const leftAt = seen.find((s) => s.type === 'leave' && s.client === id)!.at - suspendedAt
    report({ scenario: 'R11 suspended client away then gone', covers: ['G7', 'R11'], crashes: 0, extra: { awayMs: awayAt, leaveMs: leftAt, resumeWindowMs: RESUME } })
    assert.ok(leftAt >= RESUME - 100, `left ${leftAt} ms after suspending: before its resume window (${RESUME} ms) ended`)
  })
})
