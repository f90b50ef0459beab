import type { Clock } from '../core/clock.js'

/** The platform's own timers, as a Clock. Read at call time so test doubles installed later apply. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}
