import { ErrorCode, type Json } from '@minisocket/protocol'
import type { Clock } from './clock.js'
import type { Emitter } from './emitter.js'
import { ClientError } from './errors.js'
import type { Logger } from './logger.js'
import { createOutbox, type OutboxEntry, type OutboxOptions, utf8Length } from './outbox.js'
import type { createRequests } from './requests.js'
import type { ClientEvents, PublishOptions, PublishResult, SendStatus, Sending } from './types.js'

/** Bytes a publish frame adds around channel + data (type, id, mid), for the maxMessageSize check. */
const FRAME_OVERHEAD = 80

/** What publishing needs from the client. */
export interface PublisherHost {
  clock: Clock
  logger: Logger
  random: () => number
  timeout: number
  events: Emitter<ClientEvents>
  requests: ReturnType<typeof createRequests>
  /** `closed`: publishes are refused. */
  closed(): boolean
  /** Connected and resubscribed: sends go out now. */
  ready(): boolean
  /** The server's maxMessageSize, once known. */
  maxMessageSize(): number | undefined
}

export const closedError = (): ClientError => new ClientError(ErrorCode.Closed, 'client is closed')

/**
 * `publish()` and the outbox behind it (G5): every non-volatile publish is queued with a client
 * message id until its ack, and re-sent with that id on every new connection until then.
 */
export function createPublisher(host: PublisherHost, options: OutboxOptions = {}) {
  const { clock, events, requests } = host
  const outbox = createOutbox(options, clock, host.logger, (e) => {
    events.emit('outbox', { reason: 'expired', channel: e.channel, data: e.data, mid: e.mid })
    e.reject?.(new ClientError(ErrorCode.OutboxOverflow, 'message expired in the outbox'))
  })

  const send = (e: OutboxEntry): void => {
    requests.request({ type: 'publish', channel: e.channel, data: e.data, mid: e.mid }, 0).then(
      (ack) => {
        outbox.remove(e)
        if (ack.type === 'ack') e.resolve?.(ack)
      },
      (error: ClientError) => {
        // Disconnected: it stays queued and goes again, with the same mid, on the next connection.
        if (error.code === ErrorCode.Disconnected) return
        outbox.remove(e)
        e.reject?.(error)
      },
    )
  }

  const newMid = (): string => clock.now().toString(36) + '-' + Math.floor(host.random() * 2 ** 52).toString(36)

  return {
    /** Sends everything queued, in order (after connect + resubscription). */
    flush(): void {
      for (const e of [...outbox.entries]) send(e)
    },
    /** Rejects everything queued and empties the stored queue (`close()`). */
    clear(): void {
      outbox.clear(closedError())
    },
    publish(channel: string, data: Json, { volatile = false }: PublishOptions = {}): Sending {
      let status: SendStatus = 'dropped'
      const promise = new Promise<PublishResult>((resolve, reject) => {
        const fail = (code: number, message: string): void => reject(new ClientError(code, message))
        if (host.closed()) return reject(closedError())
        let json: string | undefined
        try {
          json = JSON.stringify(data)
        } catch {
          // circular or BigInt: reported below
        }
        if (json === undefined) return fail(ErrorCode.BadRequest, 'data is not JSON-serializable')
        const size = utf8Length(channel + json)
        const max = host.maxMessageSize()
        if (max !== undefined && size + FRAME_OVERHEAD > max) return fail(ErrorCode.TooLarge, `message of ${size} bytes exceeds the server's maxMessageSize`)
        const settle = (ack: { epoch?: string; offset?: number; duplicate?: boolean }): void =>
          resolve({ status: 'sent', epoch: ack.epoch, offset: ack.offset, duplicate: ack.duplicate === true })
        const ready = host.ready()
        if (volatile) {
          if (!ready) return resolve({ status: 'dropped' })
          status = 'sent'
          requests.request({ type: 'publish', channel, data }, host.timeout).then((ack) => settle(ack.type === 'ack' ? ack : {}), reject)
          return
        }
        const entry: OutboxEntry = { channel, data, mid: newMid(), at: clock.now(), size, resolve: settle, reject }
        if (!outbox.add(entry)) {
          events.emit('outbox', { reason: 'overflow', channel, data, mid: entry.mid })
          return fail(ErrorCode.OutboxOverflow, 'outbox full')
        }
        status = ready ? 'sent' : 'queued'
        if (ready) send(entry)
      })
      promise.catch(() => {}) // fire-and-forget publishes must not become unhandled rejections
      return Object.assign(promise, { status })
    },
  }
}
