/**
 * What a worker learns about the deliveries of one measured window of sequence numbers
 * [fromSeq, toSeq): how many arrived, their latency (whole window and its first and last quarter,
 * for the stability criterion), and when deliveries arrived (10 ms bins of every delivery, so the
 * runner can count what was received inside the server's measured window).
 */
import { nowUs } from '../clock.js'
import { Histogram, type SparseCounts } from '../histogram.js'

const BIN_US = 10_000
const MAX_BINS = 60_000 // 10 minutes of bins: a bound, never reached by a step

export interface MeasurementReport {
  received: number
  total: number
  seqErrors: number
  parseErrors: number
  hist: SparseCounts
  maxUs: number
  firstQuarter: SparseCounts
  firstQuarterMaxUs: number
  lastQuarter: SparseCounts
  lastQuarterMaxUs: number
  bins: Array<[binStartUs: number, count: number]>
}

export class Measurement {
  received = 0
  total = 0
  seqErrors = 0
  parseErrors = 0
  private readonly hist = new Histogram()
  private readonly first = new Histogram()
  private readonly last = new Histogram()
  private readonly bins = new Map<number, number>()
  private readonly q1End: number
  private readonly q4Start: number

  constructor(private readonly fromSeq: number, private readonly toSeq: number) {
    const quarter = Math.max(1, Math.floor((toSeq - fromSeq) / 4))
    this.q1End = fromSeq + quarter
    this.q4Start = toSeq - quarter
  }

  record(seq: number, tUs: number): void {
    this.total++
    const now = nowUs()
    // Every delivery counts towards the receive rate, warm-up included: the rate is "what arrived
    // during the window", whatever message it was.
    const bin = Math.floor(now / BIN_US)
    const c = this.bins.get(bin)
    if (c !== undefined) this.bins.set(bin, c + 1)
    else if (this.bins.size < MAX_BINS) this.bins.set(bin, 1)
    if (seq < this.fromSeq || seq >= this.toSeq) return
    this.received++
    const lat = now - tUs
    this.hist.record(lat)
    if (seq < this.q1End) this.first.record(lat)
    if (seq >= this.q4Start) this.last.record(lat)
  }

  report(): MeasurementReport {
    return {
      received: this.received,
      total: this.total,
      seqErrors: this.seqErrors,
      parseErrors: this.parseErrors,
      hist: this.hist.toSparse(),
      maxUs: this.hist.maxUs,
      firstQuarter: this.first.toSparse(),
      firstQuarterMaxUs: this.first.maxUs,
      lastQuarter: this.last.toSparse(),
      lastQuarterMaxUs: this.last.maxUs,
      bins: [...this.bins].map(([bin, count]) => [bin * BIN_US, count]),
    }
  }
}
