/**
 * The battery's two profiles. CI (default) keeps the whole battery to a few minutes on a 2-core
 * machine; `MINISOCKET_PROFILE=full` (`npm run test:chaos`) runs the larger figures.
 */
export type Profile = 'ci' | 'full'

export const profile: Profile = process.env['MINISOCKET_PROFILE'] === 'full' ? 'full' : 'ci'

/** The CI figure or the full one. */
export function pick<T>(ci: T, full: T): T {
  return profile === 'full' ? full : ci
}

/** Fixed seed for every random choice of a run; `RELIABILITY_SEED` explores others (printed on failure). */
export const seed = Number(process.env['RELIABILITY_SEED'] ?? 20261122)
