/** Markdown tables of a run: the same text goes to the console and into docs/benchmarks.md. */
import { PEERS } from '../config.js'
import type { BenchResults } from '../runner.js'
import type { Spread } from '../stats.js'
import { aggregateFanout, aggregateIdle, aggregateMax, aggregateRpc } from './aggregate.js'
import { evaluateTargets } from './targets.js'

function num(v: number, digits: number): string {
  if (!Number.isFinite(v)) return 'n/a'
  if (Math.abs(v) >= 10_000) return `${(v / 1000).toFixed(v >= 100_000 ? 0 : 1)}k`
  return v.toFixed(digits)
}

/** "median [min–max]" — the spread is shown only when there was more than one repeat. */
export function sp(s: Spread, digits = 1): string {
  if (s.n === 0) return 'n/a'
  if (s.n === 1 || s.min === s.max) return num(s.median, digits)
  return `${num(s.median, digits)} [${num(s.min, digits)}–${num(s.max, digits)}]`
}

function table(head: string[], align: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

const label = (peer: string): string => PEERS[peer as keyof typeof PEERS]?.label ?? peer
const mark = (s: string): string => (s === 'met' ? '✅ met' : s === 'missed' ? '❌ missed' : '— not measured')

export function targetsTable(res: BenchResults): string {
  return table(['target', 'status', 'measured'], ['---', '---', '---'], evaluateTargets(res).map((t) => [t.target, mark(t.status), t.detail]))
}

export function fanoutTable(res: BenchResults): string {
  const rows = aggregateFanout(res).map((c) => [
    label(c.peer), String(c.subs), sp(c.achievedDps, 0), sp(c.p50Ms, 2), sp(c.p99Ms, 1), sp(c.maxMs, 0),
    sp(c.serverCpuPct, 0), `**${sp(c.usPerDelivery, 2)}**`, sp(c.loadgenCpuPct, 0) + (c.loadgenSaturated ? ' ⚠' : ''),
    sp(c.backgroundCpuPct, 0), c.lost === 0 ? 'yes' : `lost ${c.lost}`,
  ])
  return table(
    ['peer', 'S', 'achieved deliveries/s', 'p50 ms', 'p99 ms', 'max ms', 'server CPU %', 'server CPU µs/delivery', 'loadgen CPU %', 'other load %', 'all delivered'],
    ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---'], rows)
}

export function maxTable(res: BenchResults): string {
  const rows = aggregateMax(res).map((c) => [
    label(c.peer), String(c.subs), `**${sp(c.maxDps, 0)}**`, sp(c.p99AtMaxMs, 1), sp(c.serverCpuAtMax, 0), sp(c.loadgenCpuAtMax, 0), c.limit, c.failures.join('; ') || '—',
  ])
  return table(['peer', 'S', 'max sustainable deliveries/s', 'p99 ms at max', 'server CPU % at max', 'loadgen CPU % at max', 'saturated at first failing step', 'why the next step failed'],
    ['---', '---:', '---:', '---:', '---:', '---:', '---', '---'], rows)
}

export function idleTable(res: BenchResults): string {
  const rows = aggregateIdle(res).map((c) => [
    label(c.peer), `${c.connectedMin}/${c.n}`, sp(c.ratePerS, 0), `**${sp(c.rssPerConnKiB, 2)}**`, sp(c.heapPerConnKiB, 2), sp(c.serverCpuPct, 0), sp(c.loadgenCpuPct, 0),
  ])
  return table(['peer', 'connected (min)', 'connect rate /s', 'server RSS KiB/conn', 'JS heap KiB/conn', 'server CPU % while connecting', 'loadgen CPU % while connecting'],
    ['---', '---:', '---:', '---:', '---:', '---:', '---:'], rows)
}

export function rpcTable(res: BenchResults): string {
  const rows = aggregateRpc(res).map((c) => [
    c.label, `**${sp(c.roundTripsPerS, 0)}**`, sp(c.p50Ms, 2), sp(c.p99Ms, 1), sp(c.serverCpuPct, 0), sp(c.usPerRoundTrip, 1), sp(c.loadgenCpuPct, 0) + (c.loadgenSaturated ? ' ⚠' : ''),
    sp(c.loadgenUsPerRoundTrip, 1),
  ])
  return table(['request/response', 'round trips/s', 'p50 ms', 'p99 ms', 'server CPU %', 'server CPU µs/round trip', 'loadgen CPU %', 'loadgen CPU µs/round trip'],
    ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'], rows)
}

export function sizesTable(res: BenchResults): string {
  const rows = res.sizes.map((s) => [
    s.name, s.version, s.error ? `build failed: ${s.error}` : (s.minBytes / 1024).toFixed(1), s.error ? '—' : `**${(s.gzipBytes / 1024).toFixed(2)}**`,
    s.target === 'core' ? '≤ 6 KiB' : s.target === 'mp' ? '≤ 8 KiB' : '—',
  ])
  return table(['client', 'version', 'min KiB', 'min + gzip KiB', 'target'], ['---', '---', '---:', '---:', '---'], rows)
}

/** Everything, for the console at the end of a run. */
export function consoleReport(res: BenchResults): string {
  const parts = [`minisocket bench — ${res.profile.name} profile, ${res.durationS.toFixed(0)} s, ${res.profile.repeats} repeats (median [min–max])`, '']
  if (res.sizes.length) parts.push('Client bundle sizes', sizesTable(res), '')
  if (res.fanout.length) parts.push(`Fan-out at ${res.profile.fanout.offeredDps / 1000}k deliveries/s offered`, fanoutTable(res), '')
  if (res.maxrate.length) parts.push('Maximum sustainable fan-out', maxTable(res), '')
  if (res.idle.length) parts.push(`Idle connections (N = ${res.profile.idle.n})`, idleTable(res), '')
  if (res.rpc.length) parts.push(`Request/response, ${res.profile.rpc.clients} clients, closed loop`, rpcTable(res), '')
  parts.push('Targets (issue 7)', targetsTable(res))
  if (res.errors.length) parts.push('', 'Errors:', ...res.errors.map((e) => `- ${e.scenario} ${e.peer ?? ''} ${e.subs ?? ''}: ${e.message}`))
  return parts.join('\n')
}
