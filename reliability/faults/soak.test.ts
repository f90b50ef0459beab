/**
 * R12: a soak with churn. Clients come and go (10 a second) on five channels while publishers
 * stream; the node's RSS and event-loop lag are sampled. Afterwards: no invariant broken (every
 * client judged by the history checker, leaving on purpose counts as unsubscribing), the node
 * back to 0 connections, and its RSS after a forced GC within 10 % of the post-warm-up baseline.
 * CI: 20 s; full profile: 140 s (each test file gets at most 180 s from the runner).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkHistory, sampleRss, seededRandom, summarizeRss } from '@minisocket/testkit'
import { mib, report } from '../lib/figures.js'
import { settledRss, startNode } from '../lib/node-proc.js'
import { pick, seed } from '../lib/profile.js'
import { Publisher, sleep, subscriber, type Subscriber } from '../lib/stream.js'

test('R12 G1/G2/G6: soak with churn — invariants hold, connections drain to 0, memory returns to baseline', async () => {
  // Full: 140 s — scripts/test.mjs gives each test file at most 180 s (--test-timeout).
  const durationMs = pick(20_000, 140_000)
  const population = pick(100, 500)
  const channels = Array.from({ length: 5 }, (_, i) => `feed:soak${i}`)
  const rng = seededRandom(seed)
  const node = await startNode({ limits: { messageRate: 5000, messageBurst: 5000 } })
  const live = new Set<Subscriber>()
  const gone: Subscriber[] = []
  const publishers = channels.map((channel, i) => new Publisher({ urls: () => [node.url], channel, id: `p${i}`, retry: true }))
  let serial = 0
  const join = (): void => {
    const channel = channels[serial % channels.length] as string
    live.add(subscriber(node.url, channel, `c${serial++}`))
  }
  const leave = (s: Subscriber): void => {
    const channel = s.events.find((e) => e.kind === 'subscribed')?.channel
    if (channel !== undefined) s.events.push({ kind: 'unsubscribed', channel })
    s.client.close()
    live.delete(s)
    gone.push(s)
  }
  let churned = 0
  let baselineKiB = 0
  let afterKiB = 0
  let lagP99 = 0
  const rss = sampleRss(node.pid, { intervalMs: 500 })
  const started = Date.now()
  try {
    for (let i = 0; i < population; i++) join()
    let done = false
    const streams = publishers.map((p) => p.run(20, () => done))
    await sleep(Math.min(5000, durationMs / 4))
    baselineKiB = (await node.gc()).rssKiB
    await node.resetLag()
    const warm = Date.now()
    while (Date.now() - started < durationMs) {
      const victims = [...live]
      leave(victims[Math.floor(rng() * victims.length)] as Subscriber)
      join()
      churned++
      await sleep(100)
    }
    done = true
    await Promise.all(streams)
    // Let the last publications reach everyone still connected.
    const deadline = Date.now() + 15_000
    const caught = (): boolean =>
      publishers.every((p) => {
        const top = p.acknowledged[p.acknowledged.length - 1]
        return top === undefined || [...live].filter((s) => s.events.some((e) => e.kind === 'subscribed' && e.channel === top.channel)).every((s) => {
          const at = s.lastOffset()
          return at !== undefined && at.epoch === top.epoch && at.offset >= top.offset
        })
      })
    while (!caught() && Date.now() < deadline) await sleep(20)
    await sleep(100)
    lagP99 = (await node.status()).lagP99Ms
    for (const s of [...live]) leave(s)
    for (const p of publishers) p.stop()
    const drained = Date.now() + 10_000
    while ((await node.status()).connections > 0 && Date.now() < drained) await sleep(100)
    const connections = (await node.status()).connections
    afterKiB = await settledRss(node, baselineKiB)
    const samples = rss.stop().samples
    const steady = summarizeRss(samples.filter((x) => x.at >= warm))
    const acknowledged = publishers.flatMap((p) => p.acknowledged)
    const r = checkHistory({ acknowledged, clients: gone.map((s) => ({ client: s.name, events: s.events })) })
    report({
      scenario: 'R12 soak with churn',
      covers: ['G1', 'G2', 'G6', 'R12'],
      published: publishers.reduce((n, p) => n + p.attempted, 0),
      acked: acknowledged.length,
      lost: r.missing.length,
      dupBefore: r.duplicatesBeforeDedupe,
      dupAfter: r.duplicatesAfterDedupe.length,
      recoveredTrue: r.subscribes.recoveredTrue,
      recoveredFalse: r.subscribes.recoveredFalse,
      rssBaselineMiB: mib(baselineKiB),
      rssPeakMiB: mib(steady.peakKiB),
      rssSlopeKiBPerMin: Math.round(steady.slopeKiBPerMin ?? 0),
      rssAfterMiB: mib(afterKiB),
      lagP99Ms: Math.round(lagP99),
      crashes: 0,
      durationMs: Date.now() - started,
      extra: { clientsServed: serial, churned, connectionsAfter: connections },
    })
    assert.ok(r.ok, r.problems.join('\n'))
    assert.equal(connections, 0, 'connections drained to 0 after every client left')
    assert.ok(afterKiB <= baselineKiB * 1.1, `RSS after GC ${afterKiB} KiB > baseline ${baselineKiB} KiB + 10 %`)
    const status = await node.status()
    assert.equal(status.uncaught + status.unhandled, 0)
  } finally {
    rss.stop()
    for (const p of publishers) p.stop()
    for (const s of live) s.client.close()
    await node.stop()
  }
})
