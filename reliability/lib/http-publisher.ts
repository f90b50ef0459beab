/**
 * A backend publishing through the HTTP API with an Idempotency-Key per publication, retrying
 * on another node after a failure (G4): the acknowledged list feeds the history checker and the
 * keys feed the one-entry-per-key check.
 */
import type { Publication } from '@minisocket/testkit'
import { sleep } from './stream.js'

export class HttpPublisher {
  readonly acknowledged: Publication[] = []
  /** Every key sent, retries included. */
  readonly keysSent: string[] = []
  attempted = 0
  retries = 0
  replayed = 0
  private node = 0
  private seq = 0

  constructor(
    private readonly bases: () => string[],
    private readonly channel: string,
    private readonly apiKey: string,
    readonly id = 'http',
  ) {}

  async publishNext(deadlineMs = 30_000): Promise<boolean> {
    const seq = ++this.seq
    this.attempted++
    const key = `${this.id}-${seq}`
    const body = JSON.stringify({ channel: this.channel, data: { p: this.id, s: seq } })
    const deadline = Date.now() + deadlineMs
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      if (attempt > 0) this.retries++
      const bases = this.bases()
      const base = bases[this.node % bases.length] as string
      this.keysSent.push(key)
      try {
        const res = await fetch(`${base}/api/publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey, 'idempotency-key': key },
          body,
          signal: AbortSignal.timeout(2000),
        })
        const reply = (await res.json()) as { epoch?: string; offset?: number }
        if (res.status === 200 && typeof reply.offset === 'number') {
          if (res.headers.get('idempotent-replayed') === 'true') this.replayed++
          this.acknowledged.push({ channel: this.channel, epoch: reply.epoch ?? '', offset: reply.offset, publisher: this.id, seq })
          return true
        }
      } catch {
        // Connection refused or reset: the node is down. Try the next one with the same key.
      }
      this.node++
      await sleep(20)
    }
    return false
  }

  async run(perSecond: number, until: () => boolean): Promise<void> {
    const started = Date.now()
    while (!until()) {
      await this.publishNext()
      const due = started + (this.attempted * 1000) / perSecond
      if (due > Date.now()) await sleep(due - Date.now())
    }
  }
}

/** Every publication of a channel, read through the HTTP API in pages of 1000. */
export async function readAll(base: string, channel: string, apiKey: string): Promise<Array<{ data: { p: string; s: number }; offset: number }>> {
  const headers = { 'x-api-key': apiKey }
  const head = (await (await fetch(`${base}/api/history?channel=${channel}&limit=1`, { headers })).json()) as { epoch: string; offset: number }
  const out: Array<{ data: { p: string; s: number }; offset: number }> = []
  let offset = 0
  for (let page = 0; page < 1000 && offset < head.offset; page++) {
    const res = await fetch(`${base}/api/history?channel=${channel}&limit=1000&epoch=${head.epoch}&offset=${offset}`, { headers })
    const body = (await res.json()) as { publications: Array<{ data: { p: string; s: number }; offset: number }> }
    if (body.publications.length === 0) break
    out.push(...body.publications)
    offset = body.publications[body.publications.length - 1]?.offset ?? head.offset
  }
  return out
}
