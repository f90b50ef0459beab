/**
 * Key names. Every key of one channel carries the channel in a hash tag `{...}`, so a channel's
 * keys share one Redis Cluster slot and one Lua script may touch them all.
 */
export class Keys {
  constructor(private readonly prefix: string) {}

  /** Hash {epoch, top}: the stream's identity and its last offset. */
  meta(channel: string): string {
    return `${this.prefix}{${channel}}:meta`
  }

  /** Redis Stream of publications; entry id `<offset>-0`, field `b` = JSON {data, info?}. */
  stream(channel: string): string {
    return `${this.prefix}{${channel}}:stream`
  }

  /** String "epoch:offset" (or "" without history) remembered for an idempotency key. */
  idempotency(channel: string, key: string): string {
    return `${this.prefix}{${channel}}:idem:${key}`
  }

  /** Sorted set client → expiry time (Redis clock, ms). */
  presenceExpiry(channel: string): string {
    return `${this.prefix}{${channel}}:presence`
  }

  /** Hash client → JSON PresenceMember. */
  presenceData(channel: string): string {
    return `${this.prefix}{${channel}}:presence:data`
  }

  /** Pub/sub channel carrying publications, joins and leaves between nodes. */
  pubsub(channel: string): string {
    return `${this.prefix}{${channel}}:pub`
  }

  /** The minisocket channel of a pub/sub channel name, or undefined when it is not one of ours. */
  channelOf(pubsubChannel: string): string | undefined {
    const head = `${this.prefix}{`
    const tail = '}:pub'
    if (!pubsubChannel.startsWith(head) || !pubsubChannel.endsWith(tail)) return undefined
    return pubsubChannel.slice(head.length, pubsubChannel.length - tail.length)
  }
}
