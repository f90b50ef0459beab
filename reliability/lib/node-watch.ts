/**
 * Samples the nodes under test while a scenario runs, for the RSS and event-loop-lag columns of
 * docs/reliability.md: each alive node's control port every `intervalMs`. A node that is down
 * (killed, paused) is skipped for that sample; its samples before and after still count.
 */
import { mib } from './figures.js'
import type { NodeHandle } from './node-proc.js'

export interface NodeWatchFigures {
  /** Highest RSS any node reached. */
  rssPeakMiB: number | undefined
  /** Worst event-loop delay p99 any node reported (since its start or last lag reset). */
  lagP99Ms: number | undefined
}

export interface NodeWatch {
  stop(): Promise<NodeWatchFigures>
}

export function watchNodes(nodes: () => readonly NodeHandle[], intervalMs = 500): NodeWatch {
  let peakKiB: number | undefined
  let lagP99: number | undefined
  let stopped = false
  const sample = async (): Promise<void> => {
    await Promise.all(nodes().filter((n) => n.alive).map(async (n) => {
      try {
        const s = await n.status()
        peakKiB = Math.max(peakKiB ?? 0, s.rssKiB)
        lagP99 = Math.max(lagP99 ?? 0, s.lagP99Ms)
      } catch {
        // Down between the alive check and the call (a kill in progress): next sample.
      }
    }))
  }
  let pending: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    if (!stopped) pending = pending.then(sample)
  }, intervalMs)
  return {
    async stop() {
      stopped = true
      clearInterval(timer)
      await pending
      await sample()
      return { rssPeakMiB: mib(peakKiB), lagP99Ms: lagP99 === undefined ? undefined : Math.round(lagP99) }
    },
  }
}
