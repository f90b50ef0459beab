/**
 * S-FUZZ / S14: a seeded fuzzer at a live node over many connections at once — fast-check
 * arbitraries plus mutations of valid frames at the JSON, text and WebSocket-frame levels
 * (lib/mutate.ts). Every connection must end in a documented way (an error reply with a
 * documented code, or a close code from the expected set); the node keeps its pid, has 0
 * uncaught exceptions / unhandled rejections, untouched prototypes, a healthy client keeps being
 * served, and RSS after a forced GC is back within 10 % of the post-warm-up baseline.
 * RELIABILITY_SEED replays another run.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { allCodes } from '@minisocket/protocol'
import { seededRandom } from '@minisocket/testkit'
import { mib, report, spread } from '../lib/figures.js'
import { withHostileNode } from '../lib/hostile.js'
import { corpus, mutateJson, mutateText, toFrames, type Rng } from '../lib/mutate.js'
import { settledRss, type NodeHandle } from '../lib/node-proc.js'
import { pick, seed } from '../lib/profile.js'
import { RawClient } from '../lib/raw-client.js'
import { RawSocket } from '../lib/raw-socket.js'

/** Close codes a hostile input may legitimately earn (codes.ts / RFC 6455). */
const ALLOWED_CLOSES = new Set([1000, 1002, 1007, 1008, 1009, 4003, 4006, 4500, 4502, 4503])
const CONNECT = JSON.stringify({ type: 'connect', id: 1, versions: [1] })

const arbitraryText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc
    .record(
      {
        type: fc.constantFrom('subscribe', 'unsubscribe', 'publish', 'history', 'presence', 'rpc', 'state', 'ping', 'pong', 'connect'),
        id: fc.oneof(fc.integer(), fc.double(), fc.constant(1)),
        channel: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('feed:fuzz', 'room:fuzz', 'user:bob', 'live:x')),
        data: fc.jsonValue({ maxDepth: 4 }),
        since: fc.record({ epoch: fc.string({ maxLength: 16 }), offset: fc.oneof(fc.integer(), fc.double()) }),
        method: fc.constantFrom('echo', 'nope', '__proto__', 'constructor', 'hasOwnProperty'),
        state: fc.constantFrom('online', 'away', 'gone'),
        limit: fc.integer({ min: -5, max: 5000 }),
      },
      { requiredKeys: ['type'] },
    )
    .map((v) => JSON.stringify(v)),
)

interface Tally {
  inputs: number
  closes: Map<string, number>
  errorCodes: Map<number, number>
  unexpected: string[]
}

function nextInput(rng: Rng, pool: readonly string[]): string {
  const r = rng()
  if (r < 0.3) return pool[Math.floor(rng() * pool.length)] as string
  const base = corpus[Math.floor(rng() * corpus.length)] as Record<string, unknown>
  if (r < 0.6) return mutateJson(rng, base)
  if (r < 0.7) return mutateText(rng, JSON.stringify(base))
  return JSON.stringify(base)
}

async function fuzzConnection(node: NodeHandle, rng: Rng, pool: readonly string[], inputs: number, tally: Tally): Promise<void> {
  const { sock, status } = await RawSocket.open(node.port)
  try {
    if (status !== 101) {
      tally.unexpected.push(`upgrade answered ${status}`)
      return
    }
    sock.write({ opcode: 'text', payload: rng() < 0.9 ? CONNECT : mutateText(rng, CONNECT) })
    for (let i = 0; i < inputs && !sock.socket.destroyed; i++) {
      for (const { spec, masked } of toFrames(rng, nextInput(rng, pool))) sock.write(spec, masked)
      tally.inputs++
      if (i % 10 === 9) await new Promise((r) => setImmediate(r))
    }
    const o = await sock.outcome(400)
    const key = o.code !== undefined ? String(o.code) : o.ended ? 'ended' : 'open'
    tally.closes.set(key, (tally.closes.get(key) ?? 0) + 1)
    if (o.code !== undefined && !ALLOWED_CLOSES.has(o.code)) tally.unexpected.push(`close ${o.code} (${o.reason})`)
    for (const t of sock.texts()) {
      const f = t as { type?: string; code?: number }
      if (f.type === 'error' && typeof f.code === 'number') {
        tally.errorCodes.set(f.code, (tally.errorCodes.get(f.code) ?? 0) + 1)
        if (!(f.code in allCodes().error)) tally.unexpected.push(`error code ${f.code}`)
      }
    }
  } finally {
    sock.destroy()
  }
}

/**
 * Opens connections (25 at a time) until `total` inputs were sent or `maxConnections` were used:
 * most hostile inputs end their connection, so the count of connections follows from the inputs.
 */
async function fuzz(node: NodeHandle, total: number, maxConnections: number, perConnection: number, runSeed: number, tally: Tally): Promise<number> {
  const rng = seededRandom(runSeed)
  const pool = fc.sample(arbitraryText, { seed: runSeed, numRuns: 2000 })
  const workers = 25
  let next = 0
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      // One RNG stream per worker, derived from the run's: interleaving does not change inputs.
      const mine = seededRandom(Math.floor(rng() * 2 ** 31) + w)
      while (next < maxConnections && tally.inputs < total) {
        next++
        await fuzzConnection(node, mine, pool, perConnection, tally)
      }
    }),
  )
  return next
}

test(`S-FUZZ: seeded fuzzer (seed ${seed}) over many connections — documented outcomes only, node survives, memory returns`, async () => {
  const total = pick(10_000, 100_000)
  let connections = 0
  const tally: Tally = { inputs: 0, closes: new Map(), errorCodes: new Map(), unexpected: [] }
  const rtts: number[] = []
  let baselineKiB = 0
  let afterKiB = 0
  let peakKiB = 0
  let lagP99 = 0
  await withHostileNode({ limits: { messageRate: 100_000, messageBurst: 100_000 } }, async ({ node }) => {
    await fuzz(node, total / 10, total / 10, 50, seed + 1, { inputs: 0, closes: new Map(), errorCodes: new Map(), unexpected: [] })
    baselineKiB = (await node.gc()).rssKiB
    await node.resetLag()
    const healthy = await RawClient.connect(node.url, { token: 'healthy' })
    let stop = false
    const probe = (async () => {
      for (let i = 0; i < 100_000 && !stop; i++) {
        const t0 = performance.now()
        const reply = await healthy.request({ type: 'rpc', method: 'echo', data: i })
        assert.equal(reply.data, i, 'healthy client answered during the fuzz')
        rtts.push(performance.now() - t0)
        await new Promise((r) => setTimeout(r, 25))
      }
    })()
    const sampler = setInterval(() => void node.status().then((s) => (peakKiB = Math.max(peakKiB, s.rssKiB)), () => undefined), 250)
    try {
      connections = await fuzz(node, total, total, 50, seed, tally)
    } finally {
      stop = true
      clearInterval(sampler)
      await probe
    }
    assert.equal(healthy.open, true, 'the healthy client stayed connected')
    healthy.terminate()
    lagP99 = (await node.status()).lagP99Ms
    afterKiB = await settledRss(node, baselineKiB)
  })
  report({
    scenario: 'S-FUZZ seeded fuzzer',
    covers: ['S14', 'S16', 'S-FUZZ'],
    inputs: tally.inputs,
    crashes: 0,
    rssBaselineMiB: mib(baselineKiB),
    rssPeakMiB: mib(peakKiB),
    rssAfterMiB: mib(afterKiB),
    lagP99Ms: Math.round(lagP99),
    extra: {
      seed,
      connections,
      healthyRttP99Ms: spread(rtts).p99,
      ...Object.fromEntries([...tally.closes].map(([k, v]) => [`close${k}`, v])),
      ...Object.fromEntries([...tally.errorCodes].map(([k, v]) => [`error${k}`, v])),
    },
  })
  assert.deepEqual(tally.unexpected, [], 'undocumented outcomes')
  assert.ok(tally.inputs >= total, `only ${tally.inputs} inputs`)
  // Not degenerate: several close codes and error replies. How many inputs a connection gets
  // through before its close depends on timing, so only error 100 (bad frame) is reached every
  // run in the CI profile; a second error code (seen in 0–2 of ~250 connections) would be flaky.
  assert.ok(tally.closes.size >= 3 && tally.errorCodes.size >= 1, `the fuzz must reach several outcomes: ${JSON.stringify([...tally.closes, ...tally.errorCodes])}`)
  assert.ok(afterKiB <= baselineKiB * 1.1, `RSS after GC ${afterKiB} KiB > baseline ${baselineKiB} KiB + 10 %`)
})
