/**
 * Base-library version comparison ("2.10.4" style), used to gate behaviours the platforms
 * introduced in a given base library (onOpen `header` from 2.0.0, `profile` from 2.10.4, ...).
 */
export function compareVersion(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0)
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}

/** True when `version` is at least `min`. */
export function atLeast(version: string, min: string): boolean {
  return compareVersion(version, min) >= 0
}
