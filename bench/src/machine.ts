/**
 * Whole-machine CPU from /proc/stat, to see load that is not ours. Several people share this
 * 2-core machine, and a compiler running next to a benchmark moves every figure; so each window
 * records how busy the machine was outside the bench processes, and a session may first wait
 * (bounded) for the machine to be quiet.
 */
import { readFileSync } from 'node:fs'
import { sleep } from './clock.js'

export interface CpuTicks { busy: number; total: number }

export function readTicks(): CpuTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
    const f = line.trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal
    const idle = (f[3] ?? 0) + (f[4] ?? 0)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
    return { busy: total - idle, total }
  } catch {
    return undefined
  }
}

/** Busy share of the whole machine between two readings, in % of ONE core (2 cores → 0..200). */
export function busyPct(a: CpuTicks | undefined, b: CpuTicks | undefined, cores: number): number {
  if (!a || !b || b.total <= a.total) return Number.NaN
  return ((b.busy - a.busy) / (b.total - a.total)) * 100 * cores
}

/**
 * Waits until the machine's busy time (nothing of ours runs at that moment) stays under
 * `maxPct` % of one core for one 250 ms sample; gives up after `maxWaitMs`. Returns the ms waited
 * and the last sample.
 */
export async function waitForQuiet(cores: number, maxPct: number, maxWaitMs: number): Promise<{ waitedMs: number; busyPct: number }> {
  const t0 = Date.now()
  let last = Number.NaN
  for (let i = 0; i < 1000; i++) {
    const a = readTicks()
    await sleep(250)
    last = busyPct(a, readTicks(), cores)
    if (!(last > maxPct) || Date.now() - t0 >= maxWaitMs) break
  }
  return { waitedMs: Date.now() - t0, busyPct: last }
}
