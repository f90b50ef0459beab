/** The SVG charts of a run, written to bench/results/charts/<profile>-<name>.svg. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { PEERS, type PeerName } from '../config.js'
import type { BenchResults } from '../runner.js'
import type { Spread } from '../stats.js'
import { aggregateFanout, aggregateIdle, aggregateMax, aggregateRpc } from './aggregate.js'
import { barChart, type Bar, type ChartSpec } from './svg.js'

const bar = (s: Spread | undefined, scale = 1): Bar | undefined => (s && s.n > 0 ? { value: s.median * scale, min: s.min * scale, max: s.max * scale } : undefined)

function bySubs<T extends { peer: PeerName; subs: number }>(cells: T[], pick: (c: T) => Spread, title: string, unit: string, scale = 1): ChartSpec | undefined {
  if (cells.length === 0) return undefined
  const subs = [...new Set(cells.map((c) => c.subs))].sort((a, b) => a - b)
  const peers = (Object.keys(PEERS) as PeerName[]).filter((p) => cells.some((c) => c.peer === p))
  return {
    title, unit,
    groups: subs.map((s) => `S = ${s}`),
    series: peers.map((p) => PEERS[p].label),
    values: subs.map((s) => peers.map((p) => { const c = cells.find((x) => x.peer === p && x.subs === s); return c ? bar(pick(c), scale) : undefined })),
  }
}

function single(title: string, unit: string, items: Array<{ name: string; s: Spread | undefined }>): ChartSpec | undefined {
  if (items.length === 0) return undefined
  return { title, unit, groups: [''], series: items.map((i) => i.name), values: [items.map((i) => bar(i.s))] }
}

/** Writes the charts and returns [file name, alt text] pairs, relative to `dir`. */
export function writeCharts(res: BenchResults, dir: string): Array<[string, string]> {
  mkdirSync(dir, { recursive: true })
  const fan = aggregateFanout(res)
  const specs: Array<[string, ChartSpec | undefined]> = [
    ['fanout-cpu', bySubs(fan, (c) => c.usPerDelivery, 'Fan-out: server CPU per delivery (lower is better)', `µs per delivery at ${res.profile.fanout.offeredDps / 1000}k deliveries/s offered`)],
    ['fanout-p99', bySubs(fan, (c) => c.p99Ms, 'Fan-out: p99 latency (lower is better)', `ms, publish to receive, at ${res.profile.fanout.offeredDps / 1000}k deliveries/s offered`)],
    ['maxrate', bySubs(aggregateMax(res), (c) => c.maxDps, 'Maximum sustainable fan-out (higher is better)', 'thousand deliveries/s', 1 / 1000)],
    ['idle-memory', single('Server memory per idle connection (lower is better)', 'KiB RSS per connection', aggregateIdle(res).map((c) => ({ name: PEERS[c.peer].label, s: c.rssPerConnKiB })))],
    ['rpc', single('Request/response round trips (higher is better)', `round trips/s, ${res.profile.rpc.clients} clients, closed loop`, aggregateRpc(res).map((c) => ({ name: c.label, s: c.roundTripsPerS })))],
    ['sizes', single('Client bundle size (lower is better)', 'KiB, minified + gzip -9', res.sizes.filter((s) => !s.error).map((s) => ({ name: s.name, s: { median: s.gzipBytes / 1024, min: s.gzipBytes / 1024, max: s.gzipBytes / 1024, n: 1 } })))],
  ]
  const written: Array<[string, string]> = []
  for (const [name, spec] of specs) {
    if (!spec) continue
    const file = `${res.profile.name}-${name}.svg`
    writeFileSync(`${dir}/${file}`, barChart(spec))
    written.push([file, spec.title])
  }
  return written
}
