/**
 * GC pauses of this process, summed since it started: a diagnostic for latency tails (a pause
 * holds up every delivery behind it). `maxMs` is the caller's to reset per window.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks'

export interface GcPauses {
  count: number
  ms: number
  maxMs: number
  /**
   * The pauses that were not a scavenge (mark-compact, incremental marking steps, weak
   * callbacks): what memory kept alive for a while costs, such as a channel's history, where
   * a scavenge's cost is what was allocated and dropped.
   */
  majorCount: number
  majorMs: number
}

/** Starts counting this process's GC pauses into the returned object. */
export function watchGcPauses(): GcPauses {
  const gc: GcPauses = { count: 0, ms: 0, maxMs: 0, majorCount: 0, majorMs: 0 }
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++
      gc.ms += entry.duration
      if (entry.duration > gc.maxMs) gc.maxMs = entry.duration
      const { detail } = entry as { detail?: { kind?: number } }
      if (detail?.kind !== constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.majorCount++
        gc.majorMs += entry.duration
      }
    }
  }).observe({ entryTypes: ['gc'] })
  return gc
}
