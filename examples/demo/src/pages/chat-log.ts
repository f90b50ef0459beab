/**
 * The chat page's message list, without the DOM: messages keyed by their sender-chosen `id`, so a
 * message seen live, again in a history reload and once more as the sender's own pending copy is
 * shown once; ordered by stream position (epoch in the order first seen, then offset), with
 * messages not yet acknowledged at the end.
 */

// A type alias, not an interface: only aliases are assignable to the client's Json type.
export type ChatMessage = {
  id: string
  nick: string
  text: string
  at: number
}

/** `queued`: in the outbox, offline; `sending`: written, no ack yet; `sent`: acked or seen on the channel. */
export type ChatStatus = 'queued' | 'sending' | 'sent' | 'failed'

export interface ChatEntry extends ChatMessage {
  status: ChatStatus
  epoch?: string | undefined
  offset?: number | undefined
  error?: string
  /** Arrival order, the tie-breaker for entries without a position. */
  seq: number
}

export class ChatLog {
  private readonly entries = new Map<string, ChatEntry>()
  private readonly epochs: string[] = []
  private seq = 0

  constructor(private readonly max = 500) {}

  get size(): number {
    return this.entries.size
  }

  /** A message seen on the channel (live or from history). Returns false when nothing changed. */
  received(msg: ChatMessage, epoch: string | undefined, offset: number | undefined): boolean {
    const known = this.entries.get(msg.id)
    if (known !== undefined && known.status === 'sent' && known.offset !== undefined) return false
    if (epoch !== undefined && !this.epochs.includes(epoch)) this.epochs.push(epoch)
    this.entries.set(msg.id, { ...msg, status: 'sent', epoch, offset, seq: known?.seq ?? this.seq++ })
    this.trim()
    return true
  }

  /** Our own message, just handed to `publish()`. */
  local(msg: ChatMessage, status: ChatStatus): void {
    if (this.entries.has(msg.id)) return
    this.entries.set(msg.id, { ...msg, status, seq: this.seq++ })
    this.trim()
  }

  /** Ack or failure of our own message; a copy already seen on the channel keeps its position. */
  mark(id: string, status: ChatStatus, error?: string): void {
    const entry = this.entries.get(id)
    if (entry === undefined || (entry.status === 'sent' && status !== 'failed')) return
    entry.status = status
    if (error !== undefined) entry.error = error
  }

  get(id: string): ChatEntry | undefined {
    return this.entries.get(id)
  }

  /** Waiting in the outbox or for an ack. */
  get pending(): number {
    let n = 0
    for (const e of this.entries.values()) if (e.status === 'queued' || e.status === 'sending') n++
    return n
  }

  list(): ChatEntry[] {
    const rank = (e: ChatEntry): number => (e.offset === undefined || e.epoch === undefined ? Infinity : this.epochs.indexOf(e.epoch))
    return [...this.entries.values()].sort((a, b) => rank(a) - rank(b) || (a.offset ?? 0) - (b.offset ?? 0) || a.seq - b.seq)
  }

  clear(): void {
    this.entries.clear()
    this.epochs.length = 0
  }

  private trim(): void {
    if (this.entries.size <= this.max) return
    const oldest = this.list().slice(0, this.entries.size - this.max)
    for (const e of oldest) this.entries.delete(e.id)
  }
}

/** The message's shape as the server accepts it (examples/demo/src/channels.ts). */
export function isChatMessage(data: unknown): data is ChatMessage {
  const d = data as Partial<ChatMessage> | null
  return typeof d === 'object' && d !== null && typeof d.id === 'string' && typeof d.nick === 'string' && typeof d.text === 'string' && typeof d.at === 'number'
}
