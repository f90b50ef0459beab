/**
 * R2 with real links: the node runs in a network namespace of the test's own, subscribers reach
 * it over one veth pair and the publisher over another. Taking the subscribers' link down is a
 * true blackhole (packets vanish, no FIN, no RST): the heartbeat must find it, and after the link
 * comes back every subscriber recovers what it missed (G1, G2). One-way drops need iptables in
 * the namespace; without it that case is skipped with the reason (the fault proxy's one-way
 * pauses in partition.test.ts cover the same ground on loopback).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { report, spread } from '../lib/figures.js'
import { createNamespace, iptablesAvailable, netnsAvailable, startNodeIn, type Namespace, type NsNode } from '../lib/netns.js'
import { pick } from '../lib/profile.js'
import { caughtUp, dropped, histories, judge, Publisher, sleep, type Subscriber, subscriber, waitUntil } from '../lib/stream.js'

const why = netnsAvailable()

async function partitioned(name: string, cut: (ns: Namespace) => void, heal: (ns: Namespace) => void): Promise<void> {
  const ns = createNamespace()
  let node: NsNode | undefined
  const subs: Subscriber[] = []
  let publisher: Publisher | undefined
  try {
    node = await startNodeIn(ns, { pingIntervalMs: 500, pongTimeoutMs: 500 })
    const channel = 'feed:netns'
    for (let i = 0; i < pick(5, 20); i++) subs.push(subscriber(`ws://${ns.subAddress}:${node.port}/ws`, channel, `c${i}`, { backoff: { min: 50, max: 300 } }))
    publisher = new Publisher({ urls: () => [`ws://${ns.pubAddress}:${node!.port}/ws`], channel, retry: true })
    await waitUntil(() => subs.every((s) => s.subscribes() >= 1), 10_000, 'first subscribes')
    let done = false
    const stream = publisher.run(pick(100, 300), () => done)
    await sleep(1000)
    const cutAt = Date.now()
    cut(ns)
    await sleep(3000)
    heal(ns)
    await sleep(1500)
    done = true
    await stream
    await waitUntil(() => caughtUp(subs, publisher!.acknowledged), 20_000, 'subscribers caught up')
    await sleep(100)
    const { report: r, figures } = judge(publisher.acknowledged, histories(subs), dropped(subs))
    const detect = subs.map((s) => (s.disconnectedAt.find((x) => x >= cutAt) ?? cutAt) - cutAt)
    const back = subs.map((s) => (s.subscribedAt.find((x) => x > cutAt) ?? cutAt) - cutAt)
    report({ scenario: name, covers: ['G1', 'G2', 'R2'], published: publisher.attempted, ...figures, reconnectMs: spread(back), crashes: 0, extra: { ...figures.extra, detectMsP50: spread(detect).p50, detectMsMax: spread(detect).max } })
    assert.ok(r.ok, r.problems.join('\n'))
    assert.equal(r.missing.length, 0)
    assert.equal(r.subscribes.recoveredFalse, 0)
    assert.ok(r.subscribes.recoveredTrue >= subs.length, 'every subscriber recovered after healing')
  } finally {
    publisher?.stop()
    for (const s of subs) s.client.close()
    await node?.stop()
    ns.remove()
  }
}

test('R2 G1/G2: blackhole partition of a real link (netns, veth down 3 s) → heartbeat detects it, recovery after healing, 0 lost', async (t) => {
  if (why !== undefined) {
    t.skip(why)
    console.log(`skipped: ${why}`)
    return
  }
  await partitioned('R2 netns blackhole (veth down)', (ns) => ns.setLink(false), (ns) => ns.setLink(true))
})

test('R2 G1/G2: one-way drop of a real link (netns + iptables, server→client dropped 3 s) → recovery, 0 lost', async (t) => {
  const reason = why ?? iptablesAvailable()
  if (reason !== undefined) {
    t.skip(reason)
    console.log(`skipped: ${reason}`)
    return
  }
  const rule = (ns: Namespace): string[] => ['OUTPUT', '-o', `msb${process.pid % 100_000}`, '-j', 'DROP', '-s', ns.subAddress]
  await partitioned('R2 netns one-way drop (iptables)', (ns) => ns.iptables('-A', ...rule(ns)), (ns) => ns.iptables('-D', ...rule(ns)))
})
