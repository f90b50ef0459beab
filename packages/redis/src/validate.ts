/** Argument checks: bad input gets a clear TypeError/RangeError before anything reaches Redis. */
import type { HistoryOptions } from '@minisocket/server'

export function checkChannel(channel: unknown): asserts channel is string {
  if (typeof channel !== 'string' || channel.length === 0) throw new TypeError(`channel must be a non-empty string, got ${JSON.stringify(channel)}`)
}

export function checkPositiveInt(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive safe integer, got ${String(value)}`)
}

export function checkNonNegativeInt(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative safe integer, got ${String(value)}`)
}

/** History settings, or undefined when the channel keeps none (absent or size 0). */
export function historyOf(options: HistoryOptions | undefined): HistoryOptions | undefined {
  if (options === undefined || options.size === 0) return undefined
  checkPositiveInt('history.size', options.size)
  checkPositiveInt('history.ttlMs', options.ttlMs)
  return options
}
