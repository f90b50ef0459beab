/**
 * S5, S7, S11: floods from hostile clients — a message flood (4003, other clients unaffected),
 * oversized messages (1009), fragment floods (1008), a ping flood from a client that never reads
 * (terminated), compression bombs (1002: deflate is never negotiated). Afterwards the node has
 * its pid, 0 uncaught errors, and its RSS after a forced GC is back within 10 % of the baseline.
 *
 * Baseline: RSS after a forced GC once the node has served a warm-up round of every flood (at
 * 1/10 size). The first use of ws, zlib and the JSON codec grows the heap once for good; what
 * must not grow is memory per flood (research/reliability.md R12 measures slope after warm-up too).
 */
import assert from 'node:assert/strict'
import { deflateRawSync } from 'node:zlib'
import { test } from 'node:test'
import { mib, report } from '../lib/figures.js'
import { withHostileNode } from '../lib/hostile.js'
import { settledRss, type NodeHandle } from '../lib/node-proc.js'
import { pick } from '../lib/profile.js'
import { RawClient } from '../lib/raw-client.js'
import { RawSocket } from '../lib/raw-socket.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const CONNECT = JSON.stringify({ type: 'connect', id: 1, versions: [1] })

type Tally = Map<string, number>
const count = (t: Tally, key: string): void => {
  t.set(key, (t.get(key) ?? 0) + 1)
}

/** Runs `n` raw sockets doing `act`, 20 at a time; tallies the server's close codes. */
async function rawFlood(node: NodeHandle, n: number, tally: Tally, label: string, act: (s: RawSocket) => void | Promise<void>): Promise<void> {
  for (let i = 0; i < n; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, n - i) }, async () => {
        const { sock, status } = await RawSocket.open(node.port)
        try {
          if (status !== 101) return count(tally, `${label}:http${status}`)
          await act(sock)
          const o = await sock.outcome(5000)
          count(tally, `${label}:${o.code ?? (o.ended ? 'ended' : 'open')}`)
        } finally {
          sock.destroy()
        }
      }),
    )
  }
}

async function messageFlood(node: NodeHandle, perClient: number, tally: Tally): Promise<void> {
  const flooder = await RawClient.connect(node.url, { token: 'flooder' })
  const msg = JSON.stringify({ type: 'publish', id: 7, channel: 'live:x', data: 'x'.repeat(100) })
  for (let i = 0; i < perClient && flooder.open; i++) flooder.send(msg)
  const closed = await flooder.closedWithin(5000)
  count(tally, `message-flood:${closed === 'open' ? 'open' : closed.code}`)
  flooder.terminate()
}

async function floods(node: NodeHandle, scale: number, tally: Tally): Promise<number> {
  const bomb = deflateRawSync(Buffer.alloc(10 * 1024 * 1024))
  let inputs = 0
  // Oversized single messages.
  const big = Math.max(2, Math.round(100 * scale))
  await rawFlood(node, big, tally, 'oversize', (s) => s.write({ opcode: 'text', payload: Buffer.alloc(64 * 1024 + 1, 0x20) }))
  inputs += big
  // Fragment floods: 20 000 empty continuation frames after an open text message.
  const frag = Math.max(1, Math.round(10 * scale))
  await rawFlood(node, frag, tally, 'fragments', (s) => {
    s.write({ opcode: 'text', payload: '', fin: false })
    const one = Buffer.from([0x00, 0x80, 1, 2, 3, 4]) // continuation, not fin, masked, empty
    s.writeRaw(Buffer.concat(Array.from({ length: 20_000 }, () => one)))
  })
  inputs += frag * 20_000
  // Compression bombs with RSV1.
  const bombs = Math.max(1, Math.round(20 * scale))
  await rawFlood(node, bombs, tally, 'deflate-bomb', (s) => s.write({ opcode: 'text', payload: bomb, rsv: 4 }))
  inputs += bombs
  // Ping floods: 10 000 pings of 125 bytes; the client never reads the pongs.
  const pingers = Math.max(1, Math.round(10 * scale))
  await rawFlood(node, pingers, tally, 'ping-flood', async (s) => {
    s.write({ opcode: 'text', payload: CONNECT })
    s.socket.pause()
    const ping = Buffer.alloc(125, 0x61)
    for (let i = 0; i < 10_000 && !s.socket.destroyed; i += 500) {
      const batch = Buffer.concat(Array.from({ length: 500 }, () => Buffer.from([0x89, 0xfd, 1, 2, 3, 4, ...ping.map((b, j) => b ^ [1, 2, 3, 4][j & 3]!)])))
      s.writeRaw(batch)
      await sleep(1)
    }
  })
  inputs += pingers * 10_000
  // Message floods (token bucket).
  const flooders = Math.max(1, Math.round(10 * scale))
  for (let i = 0; i < flooders; i++) await messageFlood(node, 10_000, tally)
  inputs += flooders * 10_000
  return inputs
}

test('S5/S7/S11: floods are cut with their close codes; the node survives and its memory returns to baseline', async () => {
  const scale = pick(1, 3)
  const tally: Tally = new Map()
  let baselineKiB = 0
  let peakKiB = 0
  let afterKiB = 0
  let inputs = 0
  let healthyDeliveries = 0
  let lagP99 = 0
  await withHostileNode({ limits: { messageRate: 100, messageBurst: 200 } }, async ({ node }) => {
    await floods(node, 0.1, new Map())
    baselineKiB = (await node.gc()).rssKiB
    await node.resetLag()
    // A healthy subscriber and publisher keep working through the floods.
    const sub = await RawClient.connect(node.url, { token: 'healthy-sub' })
    const pub = await RawClient.connect(node.url, { token: 'healthy-pub' })
    await sub.request({ type: 'subscribe', channel: 'feed:healthy' })
    let stop = false
    let sent = 0
    const steady = (async () => {
      while (!stop && sent < 2000) {
        const ack = await pub.request({ type: 'publish', channel: 'feed:healthy', data: ++sent })
        assert.equal(ack.type, 'ack', `healthy publish answered: ${JSON.stringify(ack)}`)
        await sleep(20)
      }
    })()
    const sampler = setInterval(() => void node.status().then((s) => (peakKiB = Math.max(peakKiB, s.rssKiB)), () => undefined), 200)
    try {
      inputs = await floods(node, scale, tally)
    } finally {
      stop = true
      clearInterval(sampler)
      await steady
    }
    await sleep(200)
    healthyDeliveries = sub.frames.filter((f) => f.type === 'pub').length
    assert.equal(healthyDeliveries, sent, 'the healthy subscriber got every publication during the floods')
    assert.equal(sub.open && pub.open, true, 'healthy clients were not disconnected')
    sub.terminate()
    pub.terminate()
    lagP99 = (await node.status()).lagP99Ms
    afterKiB = await settledRss(node, baselineKiB)
  })
  const expect: Record<string, string> = { oversize: '1009', fragments: '1008', 'deflate-bomb': '1002', 'message-flood': '4003' }
  for (const [key, n] of tally) {
    const [label, outcome] = key.split(':') as [string, string]
    if (label === 'ping-flood') assert.ok(outcome === 'ended' || outcome === '1008' || outcome === '1002', `ping flood: ${key} ×${n}`)
    else assert.equal(outcome, expect[label], `${label}: ${JSON.stringify([...tally])}`)
  }
  report({
    scenario: 'S-DOS floods',
    covers: ['S5', 'S6', 'S7', 'S11', 'S16'],
    inputs,
    crashes: 0,
    rssBaselineMiB: mib(baselineKiB),
    rssPeakMiB: mib(peakKiB),
    rssAfterMiB: mib(afterKiB),
    lagP99Ms: Math.round(lagP99),
    extra: { ...Object.fromEntries(tally), healthyDeliveries },
  })
  assert.ok(afterKiB <= baselineKiB * 1.1, `RSS after GC ${afterKiB} KiB > baseline ${baselineKiB} KiB + 10 %`)
})
