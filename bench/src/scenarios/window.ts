/**
 * One measured fan-out window inside a session: the server publishes at a fixed rate (warm-up,
 * then the measured window), the workers time every delivery of the measured messages, and we
 * wait (bounded) until every measured message reached every subscriber. Both the fixed-rate
 * scenario and every step of the max-rate search are one such window.
 */
import { sleep } from '../clock.js'
import { Histogram, summarize, type LatencySummary, type SparseCounts } from '../histogram.js'
import { p99LimitMs, type Window } from '../config.js'
import type { Session } from '../session.js'
import { cpuPct } from '../stats.js'
import { busyPct, readTicks } from '../machine.js'
import { cpus } from 'node:os'
import type { GcPauses } from '../gc-pauses.js'

/** GC pauses in a window (diagnostic); the major ones are absent in results from before 2026-12-05. */
export type GcInWindow = Pick<GcPauses, 'count' | 'ms' | 'maxMs'> & Partial<Pick<GcPauses, 'majorCount' | 'majorMs'>>

export interface WindowResult {
  subs: number
  msgPerS: number
  offeredDps: number
  achievedDps: number
  expected: number
  delivered: number
  lost: number
  seqErrors: number
  parseErrors: number
  latency: LatencySummary
  firstQuarterP90Ms: number
  lastQuarterP90Ms: number
  serverCpuPct: number
  serverUsPerDelivery: number
  loadgenCpuPct: number
  /** Machine CPU (% of one core) used by something other than the server and load generator. */
  backgroundCpuPct: number
  keptSchedule: boolean
  maxLagMs: number
  /** How late the last publication started (ms): the schedule criterion (servers/schedule.ts). Absent in older results. */
  lastLagMs?: number
  /**
   * Diagnostic (JSON only): how long the server's publish call took, which covers the whole
   * synchronous fan-out (its writes to every subscriber): p50, p99 and max in ms.
   */
  burstMs?: { p50: number; p99: number; max: number }
  /** Diagnostic (JSON only): the load generators' GC pauses in the window, summed; max is the longest. */
  loadgenGc?: GcInWindow
  /**
   * Diagnostic (JSON only), summed over the workers between the window's two marks, per
   * measured delivery: context switches, voluntary (woken from epoll: how well reads batch) and
   * involuntary (preempted). Approximate: deliveries that arrive after the end mark, in the drain
   * (a max-rate step with a backlog), count without their wake-ups, so there it reads low.
   */
  loadgenIo?: { wakeupsPerDelivery: number; preemptionsPerDelivery: number }
  /** Diagnostic (JSON only): the server's GC pauses from the window's start to the last publication. */
  serverGc?: GcInWindow
  /**
   * Diagnostic (JSON only): the user-mode part of serverUsPerDelivery, the server's own code
   * (JavaScript, Node, libuv); the rest is the kernel's, mostly the write syscall and the
   * loopback receive path it runs. Absent in older results.
   */
  serverUserUsPerDelivery?: number
  /** Why a max-rate step failed; empty when it passed. */
  failures: string[]
}

export async function runWindow(session: Session, offeredDps: number, w: Window, pad: number): Promise<WindowResult> {
  const subs = session.connect?.connected ?? 0
  const rate = offeredDps / Math.max(1, subs)
  const total = Math.max(1, Math.round((rate * (w.warmupMs + w.durationMs)) / 1000))
  const warm = Math.round((rate * w.warmupMs) / 1000)
  const firstSeq = session.nextSeq
  session.nextSeq += total
  const from = firstSeq + warm
  const to = firstSeq + total
  const expected = (to - from) * subs
  await session.all({ cmd: 'measure', fromSeq: from, toSeq: to })
  const lagLimitMs = Math.max(50, 0.02 * subs)
  const [started, published] = session.server.channel.send(
    { cmd: 'publish', rate, warmupMs: w.warmupMs, durationMs: w.durationMs, firstSeq, pad, lagLimitMs },
    [(m) => m['event'] === 'window-start', (m) => m['event'] === 'published'],
    w.warmupMs + w.durationMs + 60_000,
  ) as [Promise<Record<string, unknown>>, Promise<Record<string, unknown>>]
  await started
  const ticks0 = readTicks()
  const self0 = process.cpuUsage()
  const mark0 = await session.all({ cmd: 'mark' })
  const pub = await published
  const mark1 = await session.all({ cmd: 'mark' })
  const ticks1 = readTicks()
  const self1 = process.cpuUsage(self0)
  // Drain: poll until everything measured arrived everywhere, or the drain time is up.
  const drainEnd = Date.now() + w.drainMs
  for (let i = 0; i < 1000 && Date.now() < drainEnd; i++) {
    const counts = await session.all({ cmd: 'count' })
    if (counts.reduce((a, c) => a + Number(c['received']), 0) >= expected) break
    await sleep(50)
  }
  const reports = await session.all({ cmd: 'report' })
  const hist = new Histogram()
  const q1 = new Histogram()
  const q4 = new Histogram()
  let delivered = 0
  let seqErrors = 0
  let parseErrors = 0
  let inWindow = 0
  const windowStart = Number(pub['windowStartUs'])
  const windowEnd = windowStart + w.durationMs * 1000
  for (const r of reports) {
    hist.merge(r['hist'] as SparseCounts, Number(r['maxUs']))
    q1.merge(r['firstQuarter'] as SparseCounts, Number(r['firstQuarterMaxUs']))
    q4.merge(r['lastQuarter'] as SparseCounts, Number(r['lastQuarterMaxUs']))
    delivered += Number(r['received'])
    seqErrors += Number(r['seqErrors'])
    parseErrors += Number(r['parseErrors'])
    for (const [binStart, count] of r['bins'] as Array<[number, number]>) if (binStart >= windowStart && binStart < windowEnd) inWindow += count
  }
  const serverCpuUs = Number(pub['serverCpuUs'])
  const serverWallUs = Number(pub['windowEndUs']) - windowStart
  /** A counter's growth between the two marks, summed over the workers. */
  const grown = (key: string): number => mark1.reduce((a, m, i) => a + Number(m[key]) - Number(mark0[i]![key]), 0)
  const loadgenCpuUs = grown('cpuUs')
  const loadgenWallUs = Math.max(...mark1.map((m) => Number(m['t']))) - Math.min(...mark0.map((m) => Number(m['t'])))
  const result: WindowResult = {
    subs,
    msgPerS: rate,
    offeredDps,
    achievedDps: inWindow / (w.durationMs / 1000),
    expected,
    delivered,
    lost: Math.max(0, expected - delivered),
    seqErrors,
    parseErrors,
    latency: summarize(hist),
    firstQuarterP90Ms: q1.quantile(0.9) / 1000,
    lastQuarterP90Ms: q4.quantile(0.9) / 1000,
    serverCpuPct: cpuPct(serverCpuUs, serverWallUs),
    serverUsPerDelivery: delivered > 0 ? serverCpuUs / delivered : Number.NaN,
    serverUserUsPerDelivery: delivered > 0 ? Number(pub['serverUserCpuUs']) / delivered : Number.NaN,
    loadgenCpuPct: cpuPct(loadgenCpuUs, loadgenWallUs),
    backgroundCpuPct: Math.max(0, busyPct(ticks0, ticks1, cpus().length) - cpuPct(serverCpuUs, serverWallUs) - cpuPct(loadgenCpuUs + self1.user + self1.system, loadgenWallUs)),
    keptSchedule: pub['keptSchedule'] === true,
    maxLagMs: Number(pub['maxLagMs']),
    lastLagMs: Number(pub['lastLagMs']),
    burstMs: { p50: Number(pub['burstP50Ms']), p99: Number(pub['burstP99Ms']), max: Number(pub['burstMaxMs']) },
    loadgenGc: {
      count: grown('gcCount'),
      ms: grown('gcMs'),
      maxMs: Math.max(...mark1.map((m) => Number(m['gcMaxMs']))),
      majorCount: grown('gcMajorCount'),
      majorMs: grown('gcMajorMs'),
    },
    loadgenIo: {
      wakeupsPerDelivery: delivered > 0 ? grown('ctxVoluntary') / delivered : Number.NaN,
      preemptionsPerDelivery: delivered > 0 ? grown('ctxInvoluntary') / delivered : Number.NaN,
    },
    serverGc: {
      count: Number(pub['gcCount']), ms: Number(pub['gcMs']), maxMs: Number(pub['gcMaxMs']),
      majorCount: Number(pub['gcMajorCount']), majorMs: Number(pub['gcMajorMs']),
    },
    failures: [],
  }
  result.failures = judge(result)
  return result
}

/**
 * The sustainability criteria (docs/benchmarks.md, "Definitions"). A rate is sustainable when
 * nothing is lost, order holds, the publisher kept its schedule, at least 95 % of the offered
 * deliveries arrived inside the window, p99 stays within 100 ms + 20 µs × S, and latency does not
 * grow across the window (last-quarter p90 ≤ 1.5 × first-quarter p90 + 5 ms).
 */
export function judge(r: WindowResult): string[] {
  const f: string[] = []
  if (r.lost > 0) f.push(`lost ${r.lost}`)
  if (r.seqErrors + r.parseErrors > 0) f.push(`order/parse errors ${r.seqErrors + r.parseErrors}`)
  if (!r.keptSchedule) f.push(`publisher behind (last publication ${(r.lastLagMs ?? Number.NaN).toFixed(0)} ms late, max lag ${r.maxLagMs.toFixed(0)} ms)`)
  if (r.achievedDps < 0.95 * r.offeredDps) f.push(`achieved ${(r.achievedDps / r.offeredDps * 100).toFixed(0)} % of offered`)
  if (r.latency.p99Ms > p99LimitMs(r.subs)) f.push(`p99 ${r.latency.p99Ms.toFixed(0)} ms > ${p99LimitMs(r.subs).toFixed(0)} ms`)
  if (r.lastQuarterP90Ms > 1.5 * r.firstQuarterP90Ms + 5) f.push(`latency growing (p90 ${r.firstQuarterP90Ms.toFixed(1)} → ${r.lastQuarterP90Ms.toFixed(1)} ms)`)
  return f
}
