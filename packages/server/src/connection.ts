/**
 * One WebSocket connection: a single state machine (handshaking → open → closing → closed, one
 * `setState` funnel), the inbound pipeline (rate limit, decode, dispatch), heartbeats on the
 * injected clock, token expiry, outbound backpressure, and cleanup.
 *
 * Requests other than `rpc` run one at a time in arrival order, so a client's publishes keep
 * their order and `subscribe` then `publish` behaves as sent; RPCs run concurrently.
 *
 * Idle connections are the bulk of a node's memory, so per-connection state is kept lean
 * (bench/analysis.md, heap snapshot at N = 2000: 6.6 KiB of heap per idle connection against
 * 2.7 for raw ws): the upgrade request is dropped once the handshake no longer needs it, the
 * subscription map and the request-queue promise exist only while in use, the rate-limit bucket
 * and the heartbeat links are plain fields, and timers are forgotten once cleared.
 */
import type { IncomingMessage } from 'node:http'
import { CloseCode, decodeClientFrame, encodeFrame, encodeReply, ErrorCode, isRetryableClose, type ClientFrame, type ServerFrame } from '@minisocket/protocol'
import type { Identity } from './api.js'
import type { ChannelRule } from './channels.js'
import type { NodeContext } from './context.js'
import { dispatch, runRpc } from './handlers.js'
import { acceptConnect } from './handshake.js'
import type { DeadlineQueue, HeartbeatMember } from './heartbeat.js'
import type { Outbound, StreamMark, Subscriber } from './hub.js'
import { type BucketState, takeToken } from './rate-limit.js'
import type { SessionRecord } from './sessions.js'
import type { Transport, TransportHandler } from './transport/types.js'

export type ConnectionState = 'handshaking' | 'open' | 'closing' | 'closed'

const NEXT: Record<ConnectionState, readonly ConnectionState[]> = {
  handshaking: ['open', 'closing', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
}

/** Requests waiting in a connection's queue; beyond this the client is flooding (close 4003). */
const MAX_QUEUED = 1024
/** After our close frame, how long the peer gets to answer before the socket is dropped. */
const CLOSE_GRACE_MS = 5_000
/** A slow consumer is not reading: its close frame waits behind a full buffer, so drop it sooner. */
const SLOW_CLOSE_GRACE_MS = 1_000
/** The error 108 message for a reply whose application data JSON cannot serialize. */
const NOT_SERIALIZABLE = 'reply is not JSON-serializable'

/**
 * One connection's subscription to one channel. It is what the hub holds for the channel and
 * hands each message to, so a delivery needs no lookup of the channel in the connection's
 * subscriptions: that Map lookup was 2.7 % of the server thread at S = 1000 in a `perf` profile
 * (bench/analysis.md). `ended` once the connection let go of it (unsubscribed, failed, or
 * replaced by a newer subscription to the same channel): it delivers nothing from then on.
 *
 * A live delivery reads this object, the transport and what the write itself reads, nothing
 * more: at S = 1000 every object a delivery touches is a likely cache miss (the kernel's socket
 * work between two deliveries evicts them; bench/analysis.md has the A/B). So the subscription
 * is a class, not an object with a closure (and its context) per subscription; it keeps the
 * transport and the protocol version, both fixed once the connection is open; and it does not
 * read the connection's state: a connection leaves `open` only by closing its transport, whose
 * `send` then drops the message. What is not live goes through the connection.
 */
export class Subscription implements Subscriber {
  state: 'subscribing' | 'live' | 'ended' = 'subscribing'
  /** Live messages that arrived while the history read was in flight (subscribe-then-read race). */
  buffer: Outbound[] = []
  /**
   * The top of that history read: the client has every publication up to it (in the reply or
   * before its `since`). Until a later offset arrives, live messages at or below it are
   * dropped — on Redis the read (command link) can see an offset before the pub/sub link
   * delivers it, which sent offset N both in the reply and live (G1: at most once).
   */
  floor: StreamMark | undefined = undefined
  /** The epoch of the last publication sent on this subscription, or of its `subscribed` reply. */
  epoch: string | undefined = undefined
  /**
   * v2 sends publications of `epoch` with the epoch while their offset is at most this. It is
   * set, when the epoch changes, to one past `sentTop`: the client's own offset is at most
   * `sentTop` even if it lost every publication that carried the new epoch, so the first one
   * without it is a jump of two or more, and the client recovers (G3) instead of reading it as
   * the next offset of its old epoch, or as a duplicate (client e2e recovery.test.ts drops
   * every frame that carries the epoch).
   */
  epochUntil = 0
  /** The highest offset sent on this subscription, in any epoch (the reply's top included). */
  sentTop = 0

  private readonly transport: Transport
  private readonly version: number

  constructor(
    readonly connection: Connection,
    readonly channel: string,
    readonly rule: ChannelRule,
  ) {
    this.transport = connection.transport
    this.version = connection.version
  }

  /** A message fanned out by the hub: the same prepared bytes for every subscriber of one wire form. */
  deliver(message: Outbound): void {
    if (this.state !== 'live') {
      this.connection.deliverWhileSubscribing(this, message)
      return
    }
    const mark = message.mark
    if (this.floor !== undefined) {
      if (coveredBy(this.floor, mark)) return
      // Past the floor: pub/sub delivers in order, nothing at or below it can follow.
      if (mark !== undefined) this.floor = undefined
    }
    // The epoch bookkeeping is v2's alone: a v1 connection gets the epoch in every object.
    const withEpoch = this.version >= 2 && mark?.epoch !== undefined && sendsEpoch(this, mark.epoch, mark.offset ?? 0)
    this.transport.send(message.message(this.version, withEpoch))
  }
}

/**
 * Whether v2 sends this publication with its epoch, and the subscription's epoch bookkeeping
 * moved past it (see `epochUntil`).
 */
export function sendsEpoch(sub: Subscription, epoch: string, offset: number): boolean {
  const changed = epoch !== sub.epoch
  if (changed) {
    sub.epoch = epoch
    sub.epochUntil = sub.sentTop + 1
  }
  if (offset > sub.sentTop) sub.sentTop = offset
  return changed || offset <= sub.epochUntil
}

/** True when `mark` is already covered by `floor` (same epoch, not after it). */
export function coveredBy(floor: StreamMark, mark: StreamMark | undefined): boolean {
  return mark !== undefined && mark.epoch === floor.epoch && (mark.offset ?? 0) <= (floor.offset ?? 0)
}

export class Connection implements TransportHandler, BucketState, HeartbeatMember {
  state: ConnectionState = 'handshaking'
  /** The protocol version agreed at connect. */
  version = 1
  session: SessionRecord | undefined
  /** Created at the first subscription (an empty Map per idle connection otherwise). */
  private subs: Map<string, Subscription> | undefined
  private connectSeen = false
  /** The tail of the request queue; undefined while nothing is queued. */
  private queue: Promise<void> | undefined
  private queued = 0
  tokens: number
  tokensAt: number
  heartbeatQueue: DeadlineQueue | undefined
  heartbeatPrev: HeartbeatMember | undefined
  heartbeatNext: HeartbeatMember | undefined
  heartbeatAt = 0
  /**
   * The upgrade request, kept only while the `authenticate` hook may still need it (the connect
   * frame's token). Retained for the connection's life it was the biggest item of the heap
   * snapshot: IncomingMessage with its ReadableState and header arrays, ≈ 1–1.5 KiB.
   */
  private request: IncomingMessage | undefined
  private handshakeTimer: unknown
  private expiryTimer: unknown
  private closeTimer: unknown
  /** Set when the server initiated the close: decides what happens to the session. */
  private closedBy: { code: number; reason: string } | undefined

  constructor(
    readonly ctx: NodeContext,
    readonly transport: Transport,
    request: IncomingMessage,
    readonly ip: string,
    /** Identity from a token checked before the upgrade (header or query). */
    readonly preIdentity: Identity | undefined,
    handshakeDeadline: number,
  ) {
    const { limits, clock } = ctx.options
    this.tokens = limits.messageBurst
    this.tokensAt = clock.now()
    this.request = preIdentity === undefined && ctx.authenticate !== undefined ? request : undefined
    transport.setHandler(this)
    this.handshakeTimer = clock.setTimeout(() => this.disconnect(CloseCode.HandshakeTimeout, 'no connect frame in time'), Math.max(0, handshakeDeadline - clock.now()))
  }

  /** The upgrade request for the `authenticate` hook; the connection lets go of it. */
  takeRequest(): IncomingMessage | undefined {
    const request = this.request
    this.request = undefined
    return request
  }

  get user(): string {
    return this.session?.user ?? ''
  }

  get client(): string {
    return this.session?.client ?? ''
  }

  // ---- subscriptions

  subscription(channel: string): Subscription | undefined {
    return this.subs?.get(channel)
  }

  isSubscribed(channel: string): boolean {
    return this.subs?.has(channel) === true
  }

  get subscriptionCount(): number {
    return this.subs?.size ?? 0
  }

  /** A new subscription of this connection, not yet added (handlers.ts subscribeChannel; a method, so handlers imports no value from here). */
  newSubscription(channel: string, rule: ChannelRule): Subscription {
    return new Subscription(this, channel, rule)
  }

  /** Makes `sub` the connection's subscription to its channel; one it replaces is ended. */
  addSubscription(sub: Subscription): void {
    this.subs ??= new Map()
    const previous = this.subs.get(sub.channel)
    if (previous !== undefined && previous !== sub) this.endSubscription(previous)
    this.subs.set(sub.channel, sub)
  }

  /** Lets go of `sub`, current or already replaced: the hub drops it, and so does anything on its way. Idempotent. */
  removeSubscription(sub: Subscription): void {
    if (this.subs?.get(sub.channel) === sub) this.subs.delete(sub.channel)
    this.endSubscription(sub)
  }

  private endSubscription(sub: Subscription): void {
    sub.state = 'ended'
    sub.buffer = []
    this.ctx.hub.unsubscribe(sub.channel, sub)
  }

  private setState(next: ConnectionState): boolean {
    if (!NEXT[this.state].includes(next)) {
      this.ctx.options.logger.error('invalid connection transition', { from: this.state, to: next })
      return false
    }
    this.state = next
    return true
  }

  // ---- outbound

  /** Serializes and sends one frame to this connection only. */
  send(frame: ServerFrame): void {
    let text: string
    try {
      text = encodeFrame(frame)
    } catch {
      // Only application data can fail to serialize (what the server-side API was handed, presence
      // info from the authenticate hook; RPC results go through reply()): answer instead of dropping.
      if ('id' in frame && typeof frame.id === 'number' && frame.type !== 'error') this.sendError(frame.id, ErrorCode.Internal, NOT_SERIALIZABLE)
      return
    }
    this.sendText(text)
  }

  /** Answers request `id` with an RPC result: only the result is stringified (codec.ts encodeReply). */
  reply(id: number, data: unknown): void {
    let text: string
    try {
      text = encodeReply(id, data)
    } catch {
      this.sendError(id, ErrorCode.Internal, NOT_SERIALIZABLE)
      return
    }
    this.sendText(text)
  }

  private sendText(text: string): void {
    if (this.state === 'closing' || this.state === 'closed') return
    this.transport.send(this.ctx.engine.prepare(text))
  }

  sendError(id: number | undefined, code: number, message: string): void {
    const frame: ServerFrame = { type: 'error', code, message }
    if (id !== undefined) frame.id = id
    this.send(frame)
  }

  /** A message for `sub` before its history read is done: held, in order, up to a limit. */
  deliverWhileSubscribing(sub: Subscription, message: Outbound): void {
    if (this.state !== 'open' || sub.state !== 'subscribing') return
    if (sub.buffer.length < this.ctx.options.limits.maxOutboundBuffer / 64) sub.buffer.push(message)
    else this.disconnect(CloseCode.SlowConsumer, 'too many publications while subscribing', undefined, SLOW_CLOSE_GRACE_MS)
  }

  onFlushed(): void {
    if (this.state === 'closing' || this.state === 'closed') return
    const buffered = this.transport.bufferedAmount()
    if (buffered > this.ctx.options.limits.maxOutboundBuffer) {
      this.ctx.options.logger.warn('slow consumer closed', { client: this.client, user: this.user, buffered })
      this.disconnect(CloseCode.SlowConsumer, 'slow consumer: outbound buffer full', undefined, SLOW_CLOSE_GRACE_MS)
    }
  }

  /** Sends `disconnect` then closes with the same code. Idempotent. */
  disconnect(code: number, reason: string, retryAfter?: number, graceMs = CLOSE_GRACE_MS): void {
    if (this.state === 'closing' || this.state === 'closed') return
    const frame: ServerFrame = { type: 'disconnect', code, reason, reconnect: isRetryableClose(code) }
    if (retryAfter !== undefined) frame.retryAfter = retryAfter
    this.send(frame)
    this.closedBy = { code, reason }
    this.setState('closing')
    this.clearTimers()
    this.transport.close(code, reason)
    this.closeTimer = this.ctx.options.clock.setTimeout(() => this.transport.terminate(), graceMs)
  }

  // ---- inbound

  onBinary(): void {
    this.disconnect(CloseCode.BadFrame, 'binary messages are not part of the protocol')
  }

  onText(text: string): void {
    if (this.state === 'closing' || this.state === 'closed') return
    this.ctx.stats.messagesIn++
    const { limits, clock } = this.ctx.options
    if (!takeToken(this, limits.messageRate, limits.messageBurst, clock.now())) {
      this.ctx.options.logger.warn('rate limited', { client: this.client, user: this.user, ip: this.ip })
      this.disconnect(CloseCode.RateLimited, 'message rate limit exceeded')
      return
    }
    const decoded = decodeClientFrame(text, this.ctx.codecLimits)
    if (!decoded.ok) {
      const { error } = decoded
      if (error.fatal) {
        this.ctx.options.logger.info('bad frame', { client: this.client, ip: this.ip, code: error.code, error: error.message })
        this.disconnect(error.code, error.message)
      } else {
        this.sendError(error.id, error.code, error.message)
      }
      return
    }
    this.route(decoded.frame)
  }

  private route(frame: ClientFrame): void {
    if (!this.connectSeen) {
      if (frame.type !== 'connect') {
        this.disconnect(CloseCode.BadFrame, `expected connect, got ${frame.type}`)
        return
      }
      this.connectSeen = true
      this.enqueue(() => acceptConnect(this, frame))
      return
    }
    switch (frame.type) {
      case 'ping':
        this.send({ type: 'pong' })
        return
      case 'pong':
        this.onPong()
        return
      case 'connect':
        this.sendError(frame.id, ErrorCode.BadRequest, 'already connected')
        return
      case 'rpc':
        // Started in order, settled concurrently: a slow handler does not hold up the queue.
        // Nothing queued (the usual case): start it now, without a queue entry.
        if (this.queued === 0) {
          if (this.state === 'open') runRpc(this, frame)
          return
        }
        this.enqueue(async () => {
          if (this.state === 'open') runRpc(this, frame)
        })
        return
      default:
        this.enqueue(async () => {
          if (this.state === 'open') await dispatch(this, frame)
        })
    }
  }

  /** Runs `task` after every earlier request of this connection. */
  enqueue(task: () => Promise<void>): Promise<void> {
    if (this.queued >= MAX_QUEUED) {
      this.disconnect(CloseCode.RateLimited, 'too many requests in flight')
      return Promise.resolve()
    }
    // An idle queue starts the task at once: no promise chain per request (1.9 % of the RPC
    // profile was connection.ts:enqueue), and no resolved promise kept per idle connection.
    const previous = this.queued === 0 ? undefined : this.queue
    this.queued++
    const run = async (): Promise<void> => {
      try {
        await task()
      } catch (err) {
        this.ctx.options.logger.error('request failed', { client: this.client, error: (err as Error)?.message })
      } finally {
        if (--this.queued === 0) this.queue = undefined
      }
    }
    const next = previous === undefined ? run() : previous.then(run)
    if (this.queued > 0) this.queue = next
    return next
  }

  // ---- lifecycle

  /** The connect frame was accepted. */
  open(requestId: number, record: SessionRecord, version: number, resumed: boolean, identity: Identity): void {
    const { options, registry } = this.ctx
    if (!this.setState('open')) return
    options.clock.clearTimeout(this.handshakeTimer)
    this.handshakeTimer = undefined
    this.request = undefined
    this.version = version
    this.session = record
    if (record.user !== '') registry.addUser(record.user, this)
    this.send({
      type: 'connected',
      id: requestId,
      version,
      session: record.id,
      client: record.client,
      user: record.user,
      time: options.clock.now(),
      ping: options.pingIntervalMs,
      pongTimeout: options.pongTimeoutMs,
      resumeWindow: options.resumeWindowMs,
      maxMessageSize: options.limits.maxMessageSize,
      resumed,
    })
    this.ctx.heartbeats.start(this)
    if (identity.expiresAt !== undefined) {
      this.expiryTimer = options.clock.setTimeout(() => this.disconnect(CloseCode.TokenExpired, 'token expired'), identity.expiresAt - options.clock.now())
    }
    options.logger.info('connected', { client: record.client, user: record.user, ip: this.ip, resumed })
  }

  private onPong(): void {
    if (this.state === 'open' && this.ctx.heartbeats.pong(this) && this.session !== undefined) this.ctx.presence.refresh(this.session)
  }

  heartbeatPing(): void {
    this.send({ type: 'ping' })
  }

  heartbeatTimeout(): void {
    this.disconnect(CloseCode.HeartbeatTimeout, 'no pong in time')
  }

  private clearTimers(): void {
    const { clock } = this.ctx.options
    for (const t of [this.handshakeTimer, this.expiryTimer]) if (t !== undefined) clock.clearTimeout(t)
    this.handshakeTimer = this.expiryTimer = undefined
    this.request = undefined
    this.ctx.heartbeats.stop(this)
  }

  /** The socket is gone: free everything; hold or release the session. */
  onClose(code: number, reason: string): void {
    if (this.state === 'closed') return
    const { options, registry, sessions, stats } = this.ctx
    this.setState('closed')
    this.clearTimers()
    if (this.closeTimer !== undefined) options.clock.clearTimeout(this.closeTimer)
    this.closeTimer = undefined
    if (this.subs !== undefined) for (const sub of this.subs.values()) this.endSubscription(sub)
    this.subs = undefined
    registry.all.delete(this)
    registry.perIp.remove(this.ip)
    const record = this.session
    const final = this.closedBy ?? { code, reason }
    if (record !== undefined) {
      if (record.user !== '') registry.removeUser(record.user, this)
      if (record.owner === this) {
        // A deliberate end (client 1000, or a terminal server close) leaves at once; anything
        // else (drop, 4008 suspended, retryable server close) keeps the session for resume.
        const deliberate = this.closedBy === undefined ? code === CloseCode.Normal : !isRetryableClose(final.code)
        if (deliberate) void sessions.release(record)
        else sessions.hold(record)
      }
    }
    stats.recordDisconnect({ at: options.clock.now(), code: final.code, reason: final.reason, user: this.user })
    options.logger.info('disconnected', { client: this.client, user: this.user, ip: this.ip, code: final.code, reason: final.reason })
  }
}
