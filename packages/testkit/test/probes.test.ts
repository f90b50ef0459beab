import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { FakeClock } from '../src/fake-clock.js'
import { linearSlope, readRssKiB, sampleRss, startLagSampler, summarizeRss } from '../src/probes.js'
import { spawnNode, waitFor } from '../src/processes.js'

const fixture = fileURLToPath(new URL('./fixtures/ready-server.ts', import.meta.url))

test('linearSlope: the doc example, and the degenerate inputs', () => {
  assert.equal(linearSlope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }]), 2)
  assert.equal(linearSlope([{ x: 0, y: 1 }]), undefined)
  assert.equal(linearSlope([{ x: 1, y: 1 }, { x: 1, y: 9 }]), undefined)
  assert.equal(linearSlope([{ x: 0, y: 4 }, { x: 5, y: 4 }]), 0)
})

test('summarizeRss: peak, first, last and slope in KiB per minute', () => {
  const r = summarizeRss([{ at: 0, kib: 1000 }, { at: 30_000, kib: 1600 }, { at: 60_000, kib: 1400 }])
  assert.equal(r.peakKiB, 1600)
  assert.equal(r.firstKiB, 1000)
  assert.equal(r.lastKiB, 1400)
  assert.ok(Math.abs(r.slopeKiBPerMin! - 400) < 1e-9)
  assert.deepEqual(summarizeRss([]), { samples: [], firstKiB: undefined, lastKiB: undefined, peakKiB: undefined, slopeKiBPerMin: undefined })
})

test('readRssKiB: this process has an RSS; a pid that does not exist has none', () => {
  assert.ok((readRssKiB(process.pid) ?? 0) > 1000)
  assert.equal(readRssKiB(2 ** 22 + 12345), undefined)
})

test('sampleRss on a fake clock: one sample per interval, stop() ends it', () => {
  const clock = new FakeClock(0)
  const sampler = sampleRss(process.pid, { intervalMs: 100, clock })
  clock.advance(500)
  const report = sampler.stop()
  assert.equal(report.samples.length, 6)
  assert.deepEqual(report.samples.map((s) => s.at), [0, 100, 200, 300, 400, 500])
  clock.advance(500)
  assert.equal(sampler.samples.length, 6, 'no samples after stop')
  assert.throws(() => sampleRss(0), /pid must be a positive integer/)
})

test('sampleRss on a child that allocates 40 MiB: the peak and the slope show it', async () => {
  const child = await spawnNode(fixture, [], { MODE: 'grow' })
  try {
    const sampler = sampleRss(child.pid, { intervalMs: 50 })
    await waitFor(() => {
      const s = sampler.samples
      return s.length > 3 && s.at(-1)!.kib - s[0]!.kib > 30 * 1024
    }, { timeoutMs: 10_000, message: 'RSS growth of 30 MiB' })
    const report = sampler.stop()
    assert.ok(report.peakKiB! - report.firstKiB! > 30 * 1024)
    assert.ok(report.slopeKiBPerMin! > 0)
  } finally {
    await child.stop()
  }
})

test('startLagSampler sees a 200 ms block of the event loop', async () => {
  const lag = startLagSampler({ resolutionMs: 5 })
  await new Promise((r) => setTimeout(r, 30))
  const until = Date.now() + 200
  while (Date.now() < until) {
    // block the loop on purpose
  }
  await new Promise((r) => setTimeout(r, 30))
  const report = lag.stop()
  assert.ok(report.maxMs >= 100, `max ${report.maxMs} ms`)
  assert.ok(report.p50Ms >= 0 && report.p99Ms >= report.p50Ms)
})
