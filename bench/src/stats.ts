/** Small numeric helpers shared by the scenarios and the report. */

export function cpuPct(cpuUs: number, wallUs: number): number {
  return wallUs > 0 ? (cpuUs / wallUs) * 100 : 0
}

/** Median with its spread, for a figure measured in several independent repeats. */
export interface Spread {
  median: number
  min: number
  max: number
  n: number
}

export function spread(values: readonly number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 }
  const mid = Math.floor(v.length / 2)
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
  return { median, min: v[0]!, max: v[v.length - 1]!, n: v.length }
}
