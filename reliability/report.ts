/**
 * Prints the figures of the latest run of every scenario as a markdown table (for
 * docs/reliability.md): `node --import tsx reliability/report.ts [ci|full] [--save]`.
 * Reads reliability/.results/<profile>.jsonl, written by lib/figures.ts during the run (or the
 * committed reliability/results/latest-<profile>.jsonl when there is none).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import type { Figures, Spread } from './lib/figures.js'

const profile = process.argv[2] === 'ci' ? 'ci' : 'full'
// .results/ holds every run on this machine (gitignored); results/latest-<profile>.jsonl is the
// committed snapshot the docs table was made from (`--save` writes it), so the table can be traced.
const local = new URL(`./.results/${profile}.jsonl`, import.meta.url)
const snapshot = new URL(`./results/latest-${profile}.jsonl`, import.meta.url)
const lines = readFileSync(existsSync(local) ? local : snapshot, 'utf8').trim().split('\n')
const latest = new Map<string, Figures & { at: string }>()
for (const line of lines) {
  const f = JSON.parse(line) as Figures & { at: string }
  latest.set(f.scenario, f)
}
if (process.argv.includes('--save')) {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
  writeFileSync(snapshot, [...latest.values()].map((f) => JSON.stringify(f)).join('\n') + '\n')
}
const ms = (s: Spread | undefined): string => (s === undefined || s.n === 0 ? '' : `${s.p50} / ${s.p99} / ${s.max}`)
const n = (v: number | undefined): string => (v === undefined ? '' : String(v))
const pair = (a: number | undefined, b: number | undefined): string => (a === undefined && b === undefined ? '' : `${n(a)} / ${n(b)}`)
const order = (f: Figures): string => (f.scenario.startsWith('R') ? `0${f.scenario.replace(/^R(\d)\b/, 'R0$1')}` : f.scenario.startsWith('G') ? `1${f.scenario}` : `2${f.scenario}`)
const rows = [...latest.values()].sort((a, b) => order(a).localeCompare(order(b))).map((f) => {
  const extra = Object.entries(f.extra ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(', ')
  const slope = f.rssSlopeKiBPerMin === undefined ? '' : ` (${f.rssSlopeKiBPerMin} KiB/min)`
  const rss = f.rssPeakMiB === undefined ? ''
    : f.rssBaselineMiB === undefined && f.rssAfterMiB === undefined ? `peak ${f.rssPeakMiB}${slope}`
      : `${f.rssBaselineMiB ?? ''}→${f.rssPeakMiB}→${f.rssAfterMiB ?? ''}${slope}`
  return `| ${f.scenario} | ${f.covers.join(' ')} | ${pair(f.published, f.acked)} | ${n(f.lost)} | ${pair(f.dupBefore, f.dupAfter)} | ${pair(f.recoveredTrue, f.recoveredFalse)} | ${ms(f.reconnectMs)} | ${rss} | ${n(f.lagP99Ms)} | ${n(f.inputs)} | ${n(f.crashes)} | ${extra} |`
})
console.log(`Profile: ${profile}; latest run ${[...latest.values()].map((f) => f.at).sort().at(-1) ?? ''}\n`)
console.log('| scenario | covers | published/acked | lost | dup before/after | recovered true/false | reconnect ms p50/p99/max | RSS MiB base→peak→after GC (slope) | lag p99 ms | inputs | crashes | other |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
for (const r of rows) console.log(r)
