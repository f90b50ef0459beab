/**
 * One clock for every bench process: CLOCK_MONOTONIC through process.hrtime, in µs. On Linux it
 * is the same clock in every process of the machine, so a timestamp written into a payload by the
 * server can be subtracted from the receive time in a load-generator process.
 */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Process CPU time (user + system) in µs, from process.cpuUsage(). */
export function cpuUs(): number {
  const u = process.cpuUsage()
  return u.user + u.system
}
