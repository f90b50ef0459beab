import { createAlarm } from './alarm.js'
import type { Clock } from './clock.js'

/**
 * Dead-link watchdog: calls `onDead` when no frame arrived for `ms`. One timer re-armed lazily
 * (from the time of the last frame) rather than reset per frame. Platforms often never report a
 * dead socket (about 50 s late in Chrome, never in flight mode on mobile Safari, none after the
 * WeChat background cut: features.md §3.2, platform-api.md §6.5), so this is what detects it.
 */
export function createWatchdog(clock: Clock, onDead: () => void): { start(ms: number): void; kick(): void; stop(): void } {
  let last = 0
  let window = 0
  const alarm = createAlarm(clock, () => {
    if (clock.now() - last >= window) onDead()
    else alarm.set(last + window)
  })
  return {
    start(ms) {
      window = ms
      last = clock.now()
      alarm.set(ms > 0 ? last + ms : Infinity)
    },
    kick() {
      last = clock.now()
    },
    stop: () => alarm.set(Infinity),
  }
}
