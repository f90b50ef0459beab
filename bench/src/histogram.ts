/**
 * Latency histogram with bounded memory: 10 µs buckets below 10 ms, 100 µs buckets up to 1 s,
 * 10 ms buckets up to 60 s, and one overflow bucket. Percentiles are therefore exact to 10 µs
 * where latencies are small and to 100 µs in the 10 ms – 1 s range that fan-out p99s live in.
 * Workers ship it to the runner as sparse [bucket, count] pairs.
 */
const FINE = 1000 // 0 .. 10 ms by 10 µs
const MID = 9900 // 10 ms .. 1 s by 100 µs
const COARSE = 5900 // 1 s .. 60 s by 10 ms
const SIZE = FINE + MID + COARSE + 1

export type SparseCounts = Array<[bucket: number, count: number]>

function bucketOf(us: number): number {
  if (us < 0) return 0
  if (us < 10_000) return Math.floor(us / 10)
  if (us < 1_000_000) return FINE + Math.floor((us - 10_000) / 100)
  if (us < 60_000_000) return FINE + MID + Math.floor((us - 1_000_000) / 10_000)
  return SIZE - 1
}

/** Upper edge of a bucket, in µs: percentiles report the edge, so they never flatter. */
function upperOf(bucket: number): number {
  if (bucket < FINE) return (bucket + 1) * 10
  if (bucket < FINE + MID) return 10_000 + (bucket - FINE + 1) * 100
  if (bucket < SIZE - 1) return 1_000_000 + (bucket - FINE - MID + 1) * 10_000
  return 60_000_000
}

export class Histogram {
  private readonly counts = new Uint32Array(SIZE)
  count = 0
  maxUs = 0

  record(us: number): void {
    this.counts[bucketOf(us)]! += 1
    this.count += 1
    if (us > this.maxUs) this.maxUs = us
  }

  toSparse(): SparseCounts {
    const out: SparseCounts = []
    for (let i = 0; i < SIZE; i++) {
      const c = this.counts[i]!
      if (c > 0) out.push([i, c])
    }
    return out
  }

  merge(sparse: SparseCounts, maxUs: number): void {
    for (const [bucket, count] of sparse) {
      if (bucket < 0 || bucket >= SIZE) continue
      this.counts[bucket]! += count
      this.count += count
    }
    if (maxUs > this.maxUs) this.maxUs = maxUs
  }

  /** Latency in µs at or below which fraction `q` (0..1) of the samples lie; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0
    const rank = Math.max(1, Math.ceil(q * this.count))
    let seen = 0
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return Math.min(upperOf(i), Math.max(this.maxUs, 1))
    }
    return this.maxUs
  }
}

/** Summary of a latency distribution in milliseconds. */
export interface LatencySummary {
  count: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
}

export function summarize(h: Histogram): LatencySummary {
  return {
    count: h.count,
    p50Ms: h.quantile(0.5) / 1000,
    p90Ms: h.quantile(0.9) / 1000,
    p99Ms: h.quantile(0.99) / 1000,
    maxMs: h.maxUs / 1000,
  }
}
