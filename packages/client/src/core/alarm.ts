import type { Clock } from './clock.js'

/**
 * One platform timer that calls `fire` at clock time `at`: setting it again moves it, Infinity
 * stops it. The dead-link watchdog, the outbox's age-out and the request deadlines each keep one
 * of these instead of a timer per item: arming and clearing a timer for every rpc cost about
 * 0.7 of the 5.3 µs the client spent per call (in-process measurement, bench/analysis.md).
 */
export function createAlarm(clock: Clock, fire: () => void): { readonly due: number; set(at: number): void } {
  let handle: unknown
  let due = Infinity
  const ring = (): void => {
    due = Infinity
    fire()
  }
  return {
    get due() {
      return due
    },
    set(at) {
      // Clearing a handle that already fired is harmless on every platform timer.
      if (handle !== undefined) clock.clearTimeout(handle)
      due = at
      handle = at < Infinity ? clock.setTimeout(ring, at - clock.now()) : undefined
    },
  }
}
