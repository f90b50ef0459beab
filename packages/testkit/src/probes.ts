import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Clock } from './fake-clock.js'
import { systemClock } from './system-clock.js'

/**
 * Resident set size of a process in KiB, read from `/proc/<pid>/status` (VmRSS). Undefined when
 * the process is gone or the line is missing (Linux only: there is no /proc elsewhere).
 */
export function readRssKiB(pid: number): number | undefined {
  let status: string
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return undefined
  }
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)
  return match ? Number(match[1]) : undefined
}

export interface RssSample {
  /** ms, from the sampler's clock. */
  at: number
  kib: number
}

export interface RssReport {
  samples: RssSample[]
  firstKiB: number | undefined
  lastKiB: number | undefined
  peakKiB: number | undefined
  /** Least-squares slope over all samples, in KiB per minute (undefined with fewer than 2). */
  slopeKiBPerMin: number | undefined
}

/**
 * Least-squares slope of y over x. Undefined with fewer than 2 points or all x equal.
 *
 * @example
 * linearSlope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }]) // 2
 */
export function linearSlope(points: readonly { x: number; y: number }[]): number | undefined {
  const n = points.length
  if (n < 2) return undefined
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  let num = 0
  let den = 0
  for (const p of points) {
    num += (p.x - mx) * (p.y - my)
    den += (p.x - mx) ** 2
  }
  return den === 0 ? undefined : num / den
}

/** Peak and slope of a list of samples (pure; what `sampleRss().stop()` returns). */
export function summarizeRss(samples: readonly RssSample[]): RssReport {
  const slopePerMs = linearSlope(samples.map((s) => ({ x: s.at, y: s.kib })))
  return {
    samples: [...samples],
    firstKiB: samples[0]?.kib,
    lastKiB: samples.at(-1)?.kib,
    peakKiB: samples.length > 0 ? samples.reduce((m, s) => Math.max(m, s.kib), 0) : undefined,
    slopeKiBPerMin: slopePerMs === undefined ? undefined : slopePerMs * 60_000,
  }
}

export interface RssSampler {
  /** Samples so far. */
  readonly samples: readonly RssSample[]
  /** Stops sampling and returns peak and slope. */
  stop(): RssReport
}

/**
 * Samples another process's RSS every `intervalMs` (default 250) until `stop()`. Samples stop
 * by themselves when the process is gone; at most `maxSamples` (default 100 000) are kept.
 *
 * @example
 * const rss = sampleRss(server.pid, { intervalMs: 100 })
 * // ... flood the server ...
 * const { peakKiB, slopeKiBPerMin } = rss.stop()
 */
export function sampleRss(pid: number, options: { intervalMs?: number; maxSamples?: number; clock?: Clock } = {}): RssSampler {
  const { intervalMs = 250, maxSamples = 100_000, clock = systemClock } = options
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`sampleRss: pid must be a positive integer, got ${pid}`)
  const samples: RssSample[] = []
  let timer: unknown
  let stopped = false
  const tick = (): void => {
    const kib = readRssKiB(pid)
    if (kib === undefined) return
    samples.push({ at: clock.now(), kib })
    if (samples.length < maxSamples && !stopped) timer = clock.setTimeout(tick, intervalMs)
  }
  tick()
  return {
    samples,
    stop() {
      stopped = true
      if (timer !== undefined) clock.clearTimeout(timer)
      return summarizeRss(samples)
    },
  }
}

export interface LagReport {
  /** Percentiles of event-loop delay, in ms (0 before any sample). */
  p50Ms: number
  p99Ms: number
  maxMs: number
  meanMs: number
}

export interface LagSampler {
  /** Figures so far, without stopping. */
  snapshot(): LagReport
  /** Forget what was measured (e.g. after warm-up). */
  reset(): void
  stop(): LagReport
}

/**
 * Event-loop lag of the current process (perf_hooks.monitorEventLoopDelay): start it inside the
 * server under test and print `stop()` at the end.
 *
 * @example
 * const lag = startLagSampler()
 * // ... serve ...
 * console.log(JSON.stringify({ lag: lag.stop() })) // { p50Ms, p99Ms, maxMs, meanMs }
 */
export function startLagSampler(options: { resolutionMs?: number } = {}): LagSampler {
  const histogram = monitorEventLoopDelay({ resolution: options.resolutionMs ?? 10 })
  histogram.enable()
  const ms = (ns: number): number => (Number.isFinite(ns) ? ns / 1e6 : 0)
  const snapshot = (): LagReport => ({
    p50Ms: ms(histogram.percentile(50)),
    p99Ms: ms(histogram.percentile(99)),
    maxMs: ms(histogram.max),
    meanMs: ms(histogram.mean),
  })
  return {
    snapshot,
    reset: () => histogram.reset(),
    stop() {
      histogram.disable()
      return snapshot()
    },
  }
}
