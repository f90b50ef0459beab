/**
 * GC pauses of this process, summed since it started: a diagnostic for latency tails (a pause
 * holds up every delivery behind it). `maxMs` is the caller's to reset per window.
 */
import { PerformanceObserver } from 'node:perf_hooks'

export interface GcPauses {
  count: number
  ms: number
  maxMs: number
}

/** Starts counting this process's GC pauses into the returned object. */
export function watchGcPauses(): GcPauses {
  const gc: GcPauses = { count: 0, ms: 0, maxMs: 0 }
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++
      gc.ms += entry.duration
      if (entry.duration > gc.maxMs) gc.maxMs = entry.duration
    }
  }).observe({ entryTypes: ['gc'] })
  return gc
}
