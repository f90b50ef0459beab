/**
 * The fixed-rate publisher's schedule: which publications are due, and how late each one started.
 *
 * Lag is taken when a publication starts, never after its publish call returns. Every peer fans
 * out synchronously inside that call, so the time after the last call holds the call's own
 * burst, up to 120 ms at S = 5000 on a slow VM, which the p99 criterion already judges. Taken
 * after the call, as it first was, a publisher that was never more than 1 ms late failed the
 * schedule check at S = 5000 with "publisher behind (max lag 1 ms)" (bench/analysis.md).
 */
export class PublishSchedule {
  private maxLagUs = 0
  private lastLagUs = 0

  constructor(
    private readonly t0Us: number,
    private readonly intervalUs: number,
    readonly total: number,
  ) {}

  /** How many publications should have started by `nowUs` (at most `total`). */
  due(nowUs: number): number {
    return Math.min(this.total, Math.floor((nowUs - this.t0Us) / this.intervalUs) + 1)
  }

  /** Publication `index` (0-based) starts at `tUs`. */
  started(index: number, tUs: number): void {
    const lag = tUs - (this.t0Us + index * this.intervalUs)
    if (lag > this.maxLagUs) this.maxLagUs = lag
    this.lastLagUs = lag
  }

  /** The largest start lag so far (ms): a hiccup the publisher may have caught up from. */
  get maxLagMs(): number {
    return this.maxLagUs / 1000
  }

  /** The latest publication's start lag (ms): still behind at the end means it never caught up. */
  get lastLagMs(): number {
    return this.lastLagUs / 1000
  }
}
