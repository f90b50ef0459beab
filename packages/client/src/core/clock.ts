/**
 * Time, injected. The core never touches the platform's timers: entries pass a clock built on
 * the real ones, tests pass `FakeClock` from @minisocket/testkit (DESIGN.md "time is injected";
 * mini-program timer quirks such as MQTT.js #968 belong in an adapter's clock, not here).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** `ms` may be 0 or negative (a deadline already passed): run as soon as possible. */
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}
