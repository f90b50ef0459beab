import type { IdempotencyInput, IdempotencyReport } from './history-types.js'

/**
 * Guarantee G4 / invariant I5: every idempotency key a publisher used (however many times it
 * retried) produced exactly one history entry. Entries without a key are ignored.
 *
 * @example
 * const report = checkIdempotency({
 *   keys: ['k1', 'k1', 'k2'],                       // k1 was retried
 *   entries: [{ key: 'k1' }, { key: 'k2' }],
 *   keyOf: (e) => e.key,
 * })
 * report.ok // true
 */
export function checkIdempotency<T>(input: IdempotencyInput<T>): IdempotencyReport {
  if (!Array.isArray(input?.keys) || !Array.isArray(input.entries) || typeof input.keyOf !== 'function') {
    throw new TypeError('checkIdempotency: expected { keys: string[], entries: unknown[], keyOf: (entry) => string | undefined }')
  }
  const counts = new Map<string, number>()
  for (const entry of input.entries) {
    const key = input.keyOf(entry)
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const wanted = [...new Set(input.keys)]
  const missing = wanted.filter((k) => !counts.has(k))
  const duplicated = wanted.flatMap((key) => {
    const count = counts.get(key) ?? 0
    return count > 1 ? [{ key, count }] : []
  })
  return { ok: missing.length === 0 && duplicated.length === 0, missing, duplicated }
}
