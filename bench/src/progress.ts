/**
 * Live progress: one line rewritten in place on a TTY, plain lines otherwise (CI logs, nohup).
 * Shows done/total sessions, elapsed time, an estimate of what is left, and the current step.
 */
export interface ProgressSink {
  /** Starts a new unit of work (a session); `label` says which. */
  begin(label: string): void
  /** Detail inside the current unit (a window, a step); only shown live on a TTY. */
  detail(text: string): void
  end(): void
  /** A line that must stay in the log (a result, a warning). */
  note(text: string): void
  finish(): void
}

export class Progress implements ProgressSink {
  private done = 0
  private label = ''
  private readonly t0 = Date.now()
  private lastLine = ''

  constructor(private readonly total: number, private readonly out: NodeJS.WriteStream = process.stderr, private readonly tty = out.isTTY === true) {}

  private head(): string {
    const el = (Date.now() - this.t0) / 1000
    const eta = this.done > 0 ? (el / this.done) * (this.total - this.done) : Number.NaN
    const fmt = (s: number): string => (Number.isFinite(s) ? `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}` : '?')
    return `[${String(this.done).padStart(String(this.total).length)}/${this.total}] ${fmt(el)} (left ~${fmt(eta)})`
  }

  private live(text: string): void {
    const line = `${this.head()} ${text}`
    if (this.tty) {
      const width = this.out.columns > 20 ? this.out.columns - 1 : 120
      this.out.write(`\r\x1b[K${line.slice(0, width)}`)
    } else if (line !== this.lastLine) {
      this.out.write(line + '\n')
    }
    this.lastLine = line
  }

  begin(label: string): void {
    this.label = label
    this.live(label)
  }

  detail(text: string): void {
    if (this.tty) this.live(`${this.label} · ${text}`)
  }

  end(): void {
    this.done = Math.min(this.total, this.done + 1)
  }

  note(text: string): void {
    if (this.tty) this.out.write('\r\x1b[K')
    this.out.write(text + '\n')
    if (this.tty && this.label) this.live(this.label)
  }

  finish(): void {
    if (this.tty) this.out.write('\r\x1b[K')
    this.out.write(`${this.head()} done\n`)
  }
}

/** A sink that prints nothing (tests). */
export const silentProgress: ProgressSink = { begin() {}, detail() {}, end() {}, note() {}, finish() {} }
