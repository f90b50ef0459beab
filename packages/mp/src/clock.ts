/**
 * The time source of an emulator instance. Every timer the emulator runs (connect timeouts, the
 * background cut, readyState lag) goes through it, so a test can pass `FakeClock` from
 * `@minisocket/testkit` and move time by hand instead of sleeping.
 */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** The real clock, used when `createMiniProgram` gets no `clock`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}
