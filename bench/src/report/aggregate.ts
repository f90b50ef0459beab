/**
 * Turns raw per-repeat rows into per-cell figures: median [min–max] over the repeats, plus the
 * saturation note (which side hit ~100 % of its core).
 */
import { PEERS, type PeerName } from '../config.js'
import type { BenchResults, Row } from '../runner.js'
import { spread, type Spread } from '../stats.js'

/** A side at or above this share of its core is called saturated. */
export const SATURATED_PCT = 90

export interface FanoutAgg {
  peer: PeerName; subs: number; n: number
  achievedDps: Spread; p50Ms: Spread; p99Ms: Spread; maxMs: Spread
  serverCpuPct: Spread; usPerDelivery: Spread; loadgenCpuPct: Spread; backgroundCpuPct: Spread
  lost: number; windowsFailing: number; loadgenSaturated: boolean
}

export interface MaxAgg {
  peer: PeerName; subs: number; n: number
  maxDps: Spread; p99AtMaxMs: Spread; serverCpuAtMax: Spread; loadgenCpuAtMax: Spread
  /** Which side was at its limit at the first failing step: 'server', 'load generator', 'both', 'neither'. */
  limit: string
  failures: string[]
}

export interface IdleAgg {
  peer: PeerName; n: number; connectedMin: number
  ratePerS: Spread; rssPerConnKiB: Spread; heapPerConnKiB: Spread; serverCpuPct: Spread; loadgenCpuPct: Spread
}

export interface RpcAgg {
  peer: PeerName; label: string; n: number
  roundTripsPerS: Spread; p50Ms: Spread; p99Ms: Spread; serverCpuPct: Spread; usPerRoundTrip: Spread; loadgenCpuPct: Spread; loadgenUsPerRoundTrip: Spread
  loadgenSaturated: boolean
}

function cells<T>(rows: Array<Row<T>>): Array<{ peer: PeerName; subs: number; rows: T[] }> {
  const map = new Map<string, { peer: PeerName; subs: number; rows: T[] }>()
  for (const r of rows) {
    const key = `${r.subs ?? 0}|${r.peer}`
    const cell = map.get(key) ?? { peer: r.peer, subs: r.subs ?? 0, rows: [] }
    cell.rows.push(r.result)
    map.set(key, cell)
  }
  const order = Object.keys(PEERS)
  return [...map.values()].sort((a, b) => a.subs - b.subs || order.indexOf(a.peer) - order.indexOf(b.peer))
}

export function aggregateFanout(res: BenchResults): FanoutAgg[] {
  return cells(res.fanout).map(({ peer, subs, rows }) => {
    const loadgen = spread(rows.map((r) => r.loadgenCpuPct))
    return {
      peer, subs, n: rows.length,
      achievedDps: spread(rows.map((r) => r.achievedDps)),
      p50Ms: spread(rows.map((r) => r.latency.p50Ms)),
      p99Ms: spread(rows.map((r) => r.latency.p99Ms)),
      maxMs: spread(rows.map((r) => r.latency.maxMs)),
      serverCpuPct: spread(rows.map((r) => r.serverCpuPct)),
      usPerDelivery: spread(rows.map((r) => r.serverUsPerDelivery)),
      loadgenCpuPct: loadgen,
      backgroundCpuPct: spread(rows.map((r) => r.backgroundCpuPct)),
      lost: rows.reduce((a, r) => a + r.lost, 0),
      windowsFailing: rows.filter((r) => r.failures.length > 0).length,
      loadgenSaturated: loadgen.median >= SATURATED_PCT,
    }
  })
}

export function aggregateMax(res: BenchResults): MaxAgg[] {
  return cells(res.maxrate).map(({ peer, subs, rows }) => {
    const limits = rows.map((r) => {
      const f = r.firstFailure
      if (!f) return 'not reached'
      const s = f.serverCpuPct >= SATURATED_PCT
      const l = f.loadgenCpuPct >= SATURATED_PCT
      return s && l ? 'both' : s ? 'server' : l ? 'load generator' : 'neither'
    })
    const counts = new Map<string, number>()
    for (const l of limits) counts.set(l, (counts.get(l) ?? 0) + 1)
    return {
      peer, subs, n: rows.length,
      maxDps: spread(rows.map((r) => r.maxDps)),
      p99AtMaxMs: spread(rows.map((r) => r.atMax?.latency.p99Ms ?? Number.NaN)),
      serverCpuAtMax: spread(rows.map((r) => r.atMax?.serverCpuPct ?? Number.NaN)),
      loadgenCpuAtMax: spread(rows.map((r) => r.atMax?.loadgenCpuPct ?? Number.NaN)),
      limit: [...counts].map(([k, v]) => `${k}×${v}`).join(', '),
      failures: firstOfEachKind(rows.flatMap((r) => r.firstFailure?.failures ?? [])),
    }
  })
}

/** One failure text per kind across repeats (kinds differ in words, not in their numbers), numbers kept. */
function firstOfEachKind(failures: string[]): string[] {
  const byKind = new Map<string, string>()
  for (const f of failures) {
    const kind = f.replace(/[\d.]+/g, '#')
    if (!byKind.has(kind)) byKind.set(kind, f)
  }
  return [...byKind.values()]
}

export function aggregateIdle(res: BenchResults): IdleAgg[] {
  return cells(res.idle).map(({ peer, rows }) => ({
    peer, n: rows[0]?.n ?? 0,
    connectedMin: Math.min(...rows.map((r) => r.connected)),
    ratePerS: spread(rows.map((r) => r.connectRatePerS)),
    rssPerConnKiB: spread(rows.map((r) => r.rssPerConnKiB)),
    heapPerConnKiB: spread(rows.map((r) => r.heapPerConnKiB)),
    serverCpuPct: spread(rows.map((r) => r.serverCpuPct)),
    loadgenCpuPct: spread(rows.map((r) => r.loadgenCpuPct)),
  }))
}

export function aggregateRpc(res: BenchResults): RpcAgg[] {
  return cells(res.rpc).map(({ peer, rows }) => {
    const loadgen = spread(rows.map((r) => r.loadgenCpuPct))
    return {
      peer, label: PEERS[peer].rpc, n: rows.length,
      roundTripsPerS: spread(rows.map((r) => r.roundTripsPerS)),
      p50Ms: spread(rows.map((r) => r.latency.p50Ms)),
      p99Ms: spread(rows.map((r) => r.latency.p99Ms)),
      serverCpuPct: spread(rows.map((r) => r.serverCpuPct)),
      usPerRoundTrip: spread(rows.map((r) => r.serverUsPerRoundTrip)),
      loadgenCpuPct: loadgen,
      loadgenUsPerRoundTrip: spread(rows.map((r) => r.loadgenUsPerRoundTrip ?? Number.NaN)),
      loadgenSaturated: loadgen.median >= SATURATED_PCT,
    }
  })
}
