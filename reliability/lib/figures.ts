/**
 * Every scenario prints one FIGURES line (and appends it as JSON to reliability/.results/<profile>.jsonl,
 * which `reliability/report.ts` turns into the table of docs/reliability.md).
 */
import { appendFileSync, mkdirSync } from 'node:fs'
import { profile } from './profile.js'

export interface Spread {
  p50: number
  p99: number
  max: number
  n: number
}

export interface Figures {
  scenario: string
  /** Guarantees this scenario would fail on (G1–G7) and checklist ids (R*, S-*). */
  covers: string[]
  published?: number | undefined
  acked?: number | undefined
  lost?: number | undefined
  dupBefore?: number | undefined
  dupAfter?: number | undefined
  recoveredTrue?: number | undefined
  recoveredFalse?: number | undefined
  reconnectMs?: Spread | undefined
  rssPeakMiB?: number | undefined
  rssSlopeKiBPerMin?: number | undefined
  rssBaselineMiB?: number | undefined
  rssAfterMiB?: number | undefined
  lagP99Ms?: number | undefined
  inputs?: number | undefined
  crashes?: number | undefined
  durationMs?: number | undefined
  /** Scenario-specific figures (close codes seen, counts). */
  extra?: Record<string, number | string | boolean> | undefined
}

/** Nearest-rank percentiles; zeros for an empty list. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0, n: 0 }
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number
  return { p50: Math.round(at(0.5)), p99: Math.round(at(0.99)), max: Math.round(sorted[sorted.length - 1] as number), n: sorted.length }
}

function show(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    if ('p50' in value && 'p99' in value && 'max' in value) {
      const s = value as Spread
      return `${s.p50}/${s.p99}/${s.max}ms(n=${s.n})`
    }
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(' ')
  }
  return String(value)
}

export function formatFigures(f: Figures): string {
  const { scenario, covers, ...rest } = f
  const parts = Object.entries(rest).filter(([, v]) => v !== undefined).map(([k, v]) => (k === 'extra' ? show(v) : `${k}=${show(v)}`))
  return `FIGURES [${profile}] ${scenario} (${covers.join(',')}) | ${parts.join(' ')}`
}

/** Prints the one-line summary and records it for docs/reliability.md. */
export function report(f: Figures): void {
  console.log(formatFigures(f))
  try {
    const dir = new URL('../.results/', import.meta.url)
    mkdirSync(dir, { recursive: true })
    appendFileSync(new URL(`${profile}.jsonl`, dir), `${JSON.stringify({ at: new Date().toISOString(), profile, ...f })}\n`)
  } catch (err) {
    console.log(`figures not recorded: ${(err as Error).message}`)
  }
}

export const mib = (kib: number | undefined): number | undefined => (kib === undefined ? undefined : Math.round((kib / 1024) * 10) / 10)
