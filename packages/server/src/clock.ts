/** The clock used when none is injected: wall time and real timers. */
import type { Clock } from './api.js'

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms)
    // Server timers (heartbeats, resume windows) must never keep a closed process alive.
    handle.unref()
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}
