/**
 * The harness end to end on a tiny configuration: raw ws naive peer, S = 10, one repeat of short
 * windows, fixed-rate fan-out and closed-loop echo. Checks that the result has every field with
 * sane, non-zero numbers. No wall-clock assertion: only counts, and that measured values exist.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { quickProfile, type Profile } from '../src/config.js'
import { countSessions, runBench } from '../src/runner.js'
import { evaluateTargets } from '../src/report/targets.js'
import { consoleReport } from '../src/report/tables.js'

function tiny(): Profile {
  const p = quickProfile()
  return {
    ...p,
    name: 'custom',
    peers: ['ws-naive'],
    scenarios: ['fanout', 'rpc'],
    repeats: 1,
    workers: 1,
    pin: false,
    quiet: { maxPct: 100, maxWaitMs: 0 },
    fanout: { subs: [10], offeredDps: 2000, window: { warmupMs: 200, durationMs: 1000, drainMs: 2000 } },
    rpc: { clients: 4, peers: ['ws-naive'], window: { warmupMs: 200, durationMs: 800, drainMs: 0 } },
    maxMinutes: 1,
  }
}

test('a tiny run of the raw ws peer yields complete, sane results', { timeout: 30_000 }, async () => {
  const res = await runBench(tiny())
  assert.deepEqual(res.errors, [])
  assert.equal(res.fanout.length, 1)
  const f = res.fanout[0]!.result
  assert.equal(f.subs, 10)
  assert.equal(f.msgPerS, 200)
  // 200 msg/s for 1 s to 10 subscribers: 2000 measured deliveries, all of them arrived.
  assert.equal(f.expected, 2000)
  assert.equal(f.delivered, f.expected)
  assert.equal(f.lost, 0)
  assert.equal(f.seqErrors + f.parseErrors, 0)
  assert.equal(f.latency.count, f.delivered)
  assert.ok(f.latency.p50Ms > 0 && f.latency.p50Ms <= f.latency.p99Ms && f.latency.p99Ms <= Math.max(f.latency.maxMs, f.latency.p99Ms))
  assert.ok(f.achievedDps > 0)
  assert.ok(Number.isFinite(f.serverUsPerDelivery) && f.serverUsPerDelivery > 0)
  // The user-mode share is part of the whole: never negative, never more than it.
  assert.ok(f.serverUserUsPerDelivery !== undefined && f.serverUserUsPerDelivery >= 0 && f.serverUserUsPerDelivery <= f.serverUsPerDelivery, `user ${f.serverUserUsPerDelivery} of ${f.serverUsPerDelivery} µs`)
  assert.ok(f.serverCpuPct > 0 && f.loadgenCpuPct > 0)
  // The GC diagnostics reach the result (a field lost on the way would read NaN).
  for (const g of [f.serverGc, f.loadgenGc]) {
    assert.ok(g !== undefined && Number.isInteger(g.count) && g.count >= 0 && g.ms >= 0 && g.maxMs >= 0, JSON.stringify(g))
    assert.ok(g.majorCount !== undefined && Number.isInteger(g.majorCount) && g.majorCount <= g.count && g.majorMs !== undefined && g.majorMs <= g.ms + 1e-9, JSON.stringify(g))
  }
  // The load generators' context switches reach the result (a field lost on the way reads NaN).
  const io = f.loadgenIo
  assert.ok(io !== undefined && io.wakeupsPerDelivery >= 0 && io.preemptionsPerDelivery >= 0, JSON.stringify(io))
  assert.equal(res.rpc.length, 1)
  const r = res.rpc[0]!.result
  assert.equal(r.clients, 4)
  assert.ok(r.roundTripsPerS > 0 && r.latency.count > 0 && r.latency.p50Ms > 0)
  // Report and targets render without minisocket figures: those targets are "not measured".
  assert.match(consoleReport(res), /ws naive loop/)
  const fanoutCpu = evaluateTargets(res).find((t) => t.id === 'fanout-cpu-10')
  assert.equal(fanoutCpu?.status, 'not measured')
})

test('fan-out repeats above the profile\'s each get a fresh session, and the progress count knows it', { timeout: 30_000 }, async () => {
  const p: Profile = { ...tiny(), scenarios: ['fanout'], freshPerRepeat: true, fanout: { subs: [10], offeredDps: 2000, repeats: 2, window: { warmupMs: 100, durationMs: 300, drainMs: 1000 } } }
  const labels: string[] = []
  const res = await runBench(p, { begin: (l) => labels.push(l), detail: () => undefined, end: () => undefined, note: () => undefined, finish: () => undefined })
  assert.deepEqual(res.errors, [])
  assert.deepEqual(res.fanout.map((r) => r.repeat), [0, 1])
  assert.equal(labels.length, 2)
  assert.equal(countSessions(p), labels.length)
  assert.deepEqual(labels, ['fan-out S=10 ws-naive rep 1/2', 'fan-out S=10 ws-naive rep 2/2'])
})

test('idle repeats above the profile\'s each get a fresh session, and the progress count knows it', { timeout: 30_000 }, async () => {
  const p: Profile = { ...tiny(), scenarios: ['idle'], freshPerRepeat: true, idle: { n: 20, peers: ['ws-naive'], repeats: 2, inflight: 8, settleMs: 50 } }
  const labels: string[] = []
  const res = await runBench(p, { begin: (l) => labels.push(l), detail: () => undefined, end: () => undefined, note: () => undefined, finish: () => undefined })
  assert.deepEqual(res.errors, [])
  assert.deepEqual(res.idle.map((r) => [r.repeat, r.result.connected]), [[0, 20], [1, 20]])
  assert.equal(countSessions(p), labels.length)
  assert.deepEqual(labels, ['idle N=20 ws-naive rep 1/2', 'idle N=20 ws-naive rep 2/2'])
})
