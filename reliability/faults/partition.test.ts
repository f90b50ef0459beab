/**
 * R2/R3 through the fault proxy: partitions (both ways and one way, the proxy holding bytes
 * while TCP stays open), connections cut without a close frame, delay with jitter, and a single
 * live publication lost on the way. Subscribers are real clients behind the proxy; a publisher
 * streams directly to the node. The heartbeat must find the dead link, the client must recover
 * after healing (G1, G2), order must hold under jitter (G6), and a lost live publication must be
 * noticed from the offset jump and recovered without a reconnect (G3).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createFaultProxy, frameMatchers, type FaultProxy } from '@minisocket/testkit'
import { report, spread, type Figures } from '../lib/figures.js'
import { startNode } from '../lib/node-proc.js'
import { pick } from '../lib/profile.js'
import { caughtUp, dropped, histories, judge, Publisher, sleep, type Subscriber, subscriber, waitUntil } from '../lib/stream.js'
import { type NodeWatchFigures, watchNodes } from '../lib/node-watch.js'

interface Run {
  subs: Subscriber[]
  publisher: Publisher
  faultAt: number
  figures: Partial<Figures>
  node: NodeWatchFigures
  ok: boolean
  problems: string[]
  recoveredTrue: number
  recoveredFalse: number
  lost: number
}

/** Streams at `rate` for ~4 s with `fault` applied in the middle; returns the judged run. */
async function streamWithFault(name: string, fault: (proxy: FaultProxy) => Promise<void>): Promise<Run> {
  const clients = pick(5, 20)
  const rate = pick(100, 300)
  const node = await startNode({ pingIntervalMs: 500, pongTimeoutMs: 500 })
  const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: node.port }, closeGraceMs: 200 })
  const channel = 'feed:part'
  const subs = Array.from({ length: clients }, (_, i) => subscriber(`${proxy.url}/ws`, channel, `c${i}`, { backoff: { min: 50, max: 300 } }))
  const publisher = new Publisher({ urls: () => [node.url], channel, retry: true })
  const watch = watchNodes(() => [node])
  try {
    await waitUntil(() => subs.every((s) => s.subscribes() >= 1), 10_000, 'first subscribes')
    let done = false
    const stream = publisher.run(rate, () => done)
    await sleep(1000)
    const faultAt = Date.now()
    await fault(proxy)
    await sleep(1500)
    done = true
    await stream
    await waitUntil(() => caughtUp(subs, publisher.acknowledged), 20_000, `${name}: subscribers caught up`)
    await sleep(100)
    const { report: r, figures } = judge(publisher.acknowledged, histories(subs), dropped(subs))
    return { subs, publisher, faultAt, figures, node: await watch.stop(), ok: r.ok, problems: r.problems, recoveredTrue: r.subscribes.recoveredTrue, recoveredFalse: r.subscribes.recoveredFalse, lost: r.missing.length }
  } finally {
    await watch.stop()
    publisher.stop()
    for (const s of subs) s.client.close()
    await proxy.close()
    await node.stop()
  }
}

/** From the fault to each client's first disconnect after it (dead-link detection time). */
const detection = (run: Run): number[] => run.subs.map((s) => (s.disconnectedAt.find((t) => t >= run.faultAt) ?? run.faultAt) - run.faultAt)
const reconnect = (run: Run): number[] => run.subs.map((s) => (s.subscribedAt.find((t) => t > run.faultAt) ?? run.faultAt) - run.faultAt)

function expectRecovered(name: string, run: Run): void {
  report({ scenario: name, covers: ['G1', 'G2', 'R2'], published: run.publisher.attempted, ...run.figures, reconnectMs: spread(reconnect(run)), ...run.node, crashes: 0, extra: { ...run.figures.extra, detectMsP50: spread(detection(run)).p50, detectMsMax: spread(detection(run)).max } })
  assert.ok(run.ok, run.problems.join('\n'))
  assert.equal(run.lost, 0)
  assert.equal(run.recoveredFalse, 0)
  assert.ok(run.recoveredTrue >= run.subs.length, `every client resubscribed with recovery (${run.recoveredTrue})`)
}

test('R2 G1/G2: a 3 s partition both ways (TCP open, nothing passes) → heartbeat detects it, recovery after healing, 0 lost', async () => {
  const run = await streamWithFault('both ways', async (proxy) => {
    proxy.pause({ direction: 'both' })
    await sleep(3000)
    proxy.resume({ direction: 'both' })
  })
  expectRecovered('R2 partition both ways (proxy)', run)
})

test('R2 G1/G2: one-way partition server→client for 3 s → the client finds the silence, recovers, 0 lost', async () => {
  const run = await streamWithFault('to client', async (proxy) => {
    proxy.pause({ direction: 'toClient' })
    await sleep(3000)
    proxy.resume({ direction: 'toClient' })
  })
  expectRecovered('R2 one-way partition server→client (proxy)', run)
})

test('R2 G1/G2: one-way partition client→server for 3 s → the server misses pongs (4001), the client recovers, 0 lost', async () => {
  const run = await streamWithFault('to server', async (proxy) => {
    proxy.pause({ direction: 'toServer' })
    await sleep(3000)
    proxy.resume({ direction: 'toServer' })
  })
  expectRecovered('R2 one-way partition client→server (proxy)', run)
})

test('R3 G1/G2: connections cut without a close frame (1006) three times mid-stream → recovered each time, 0 lost', async () => {
  const run = await streamWithFault('cuts', async (proxy) => {
    for (let i = 0; i < 3; i++) {
      proxy.cut()
      await sleep(400)
    }
  })
  expectRecovered('R3 TCP cut without close frame ×3 (proxy)', run)
})

test('R3 G6: delay 20 ms with 0–80 ms jitter both ways → order kept, 0 lost, no reconnect needed', async () => {
  const run = await streamWithFault('jitter', async (proxy) => {
    proxy.setDelay(20, 80, 'both')
    await sleep(1500)
    proxy.setDelay(0, 0, 'both')
  })
  report({ scenario: 'R3 delay + jitter (proxy)', covers: ['G6', 'R3'], published: run.publisher.attempted, ...run.figures, ...run.node, crashes: 0 })
  assert.ok(run.ok, run.problems.join('\n'))
  assert.equal(run.lost, 0)
  assert.equal(run.recoveredFalse, 0)
})

test('R3 G3: one live publication dropped on the way → the client sees the offset jump and recovers it without reconnecting', async () => {
  const run = await streamWithFault('drop one pub', async (proxy) => {
    proxy.addRule({ direction: 'toClient', match: frameMatchers.jsonType('pub'), action: 'drop', times: 1 })
    await sleep(300)
  })
  const reconnects = run.subs.reduce((n, s) => n + s.disconnectedAt.filter((t) => t > run.faultAt).length, 0)
  report({ scenario: 'R3 one live publication dropped (G3)', covers: ['G3', 'R3'], published: run.publisher.attempted, ...run.figures, ...run.node, crashes: 0, extra: { ...run.figures.extra, reconnects } })
  assert.ok(run.ok, run.problems.join('\n'))
  assert.equal(run.lost, 0, 'the dropped publication was recovered')
  assert.equal(run.recoveredTrue, 1, 'exactly one gap recovery (the client that lost the frame)')
  assert.equal(reconnects, 0, 'recovered on the same connection')
})
