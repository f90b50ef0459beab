/**
 * Coalesces writes: a socket written to more than once during an event-loop turn is corked at
 * its second write and uncorked once, in `setImmediate`, so every further message queued for it
 * in that turn leaves in a single writev. Measured in research/perf-anchors.md (variant b2):
 * ~8.7 µs → ~0.5 µs of server CPU per delivery at S = 1000 when several messages per subscriber
 * pile up in a turn.
 *
 * The first write of a turn goes out directly (`claimDirect`): when a subscriber gets one
 * message per turn (fan-out at S = 100, RPC replies), corking bought nothing and cost a
 * `setImmediate` hop, a 2-chunk writev per socket and the wait until the end of the turn
 * (17.7 % of the RPC profile; 8.11 vs 7.37 µs per delivery for corked vs plain pre-framed,
 * bench/analysis.md). But a socket that got several messages in each of its last two turns
 * corks from the first one: when the publisher falls behind, two publications per turn must
 * still leave in one writev, not a write plus a writev (max rate at S = 5000 fell from 141k to
 * 100k in an A/B quick run with the first write always direct). One turn of several is not
 * enough: a single catch-up of the publisher (two publications read together) would make every
 * subscriber cork its one message in the turn after, at the corked cost.
 */
export interface CorkTarget {
  /** Set by the coalescer while the target's socket is corked. */
  corked: boolean
  /** The turn of the target's last write (owned by the coalescer; start -1). */
  directTurn: number
  /** Writes in that turn (owned by the coalescer; start 0). */
  turnWrites: number
  /** The last flushed turn in which it got several writes (owned by the coalescer; start -2). */
  multiTurn: number
  /** Its last two flushed turns each had several writes: cork from the first write (start false). */
  batching: boolean
  cork(): void
  /** Uncorks and runs the post-flush checks (backpressure). */
  flush(): void
}

export class WriteCoalescer {
  private held: CorkTarget[] = []
  private scheduled = false
  /** Counts event-loop turns that wrote something; a turn ends at the next `flushAll`. */
  private turn = 0

  /**
   * Call before every write. True for the target's first write of the turn, unless the target
   * is batching: write directly, no cork. Otherwise (and when a direct write left bytes
   * buffered) call `hold` before writing.
   */
  claimDirect(target: CorkTarget): boolean {
    if (target.directTurn === this.turn) {
      target.turnWrites++
      return false
    }
    target.directTurn = this.turn
    target.turnWrites = 1
    if (target.corked || target.batching) return false
    // Ends the turn (advances `turn`) even when nothing gets corked in it.
    this.schedule()
    return true
  }

  /** Call before writing to the target's socket. */
  hold(target: CorkTarget): void {
    if (target.corked) return
    target.corked = true
    target.cork()
    this.held.push(target)
    this.schedule()
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.flushAll)
    }
  }

  /** Flushes now (also used on shutdown). */
  readonly flushAll = (): void => {
    this.scheduled = false
    const turn = this.turn++
    const held = this.held
    this.held = []
    for (const target of held) {
      target.corked = false
      const several = target.turnWrites > 1
      target.batching = several && target.multiTurn === turn - 1
      if (several) target.multiTurn = turn
      try {
        target.flush()
      } catch {
        // One socket failing to flush must not keep the others corked; its own close handler cleans up.
      }
    }
  }
}
