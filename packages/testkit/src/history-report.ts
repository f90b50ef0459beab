import type { HistoryReport } from './history-types.js'

/**
 * One line of figures for a battery log (the numbers docs/reliability.md records per scenario).
 *
 * @example
 * formatHistoryReport(checkHistory(input))
 * // 'OK acknowledged=200 deliveries=4010 missing=0 excused=12 dup-before=3 dup-after=0 order=0 hidden-gaps=0 conflicts=0 subscribes=20 recovered-true=35 recovered-false=2'
 */
export function formatHistoryReport(r: HistoryReport): string {
  const figures = {
    acknowledged: r.acknowledged,
    deliveries: r.deliveries,
    missing: r.missing.length,
    excused: r.excused,
    'dup-before': r.duplicatesBeforeDedupe,
    'dup-after': r.duplicatesAfterDedupe.length,
    order: r.orderViolations.length,
    'hidden-gaps': r.hiddenGaps.length,
    conflicts: r.conflicts.length,
    subscribes: r.subscribes.first,
    'recovered-true': r.subscribes.recoveredTrue,
    'recovered-false': r.subscribes.recoveredFalse,
    ...(r.idempotency ? { 'idempotency-violations': r.idempotency.missing.length + r.idempotency.duplicated.length } : {}),
  }
  return `${r.ok ? 'OK' : 'FAIL'} ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}`
}
