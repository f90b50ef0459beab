/**
 * Request handlers of an open connection. Each answers with its reply frame, or throws a
 * RequestError that becomes an `error {id, code, message}` reply; anything else unexpected
 * becomes error 108 (Internal) and is logged — never a crash.
 */
import { ErrorCode, type ClientFrame, type HistoryQueryFrame, type PublishFrame, type RpcFrame, type SubscribedFrame, type SubscribeFrame, type StreamPosition } from '@minisocket/protocol'
import type { ChannelContext } from './api.js'
import { type ChannelRule, historyOptions, permits } from './channels.js'
import type { Connection } from './connection.js'
import { recoveryOutcome } from './engine/types.js'
import { RequestError, RpcError, unavailable } from './errors.js'

type Request = Exclude<ClientFrame, { type: 'connect' | 'ping' | 'pong' | 'rpc' }>

function ruleOf(conn: Connection, channel: string): ChannelRule {
  const rule = conn.ctx.channels.resolve(channel)
  if (rule === undefined) throw new RequestError(ErrorCode.UnknownChannel, `no namespace for channel ${channel}`)
  return rule
}

function context(conn: Connection, channel: string, data?: ChannelContext['data']): ChannelContext {
  const ctx: ChannelContext = { channel, user: conn.user, client: conn.client }
  if (data !== undefined) ctx.data = data
  return ctx
}

async function check(conn: Connection, policy: ChannelRule['read'], channel: string, what: string, data?: ChannelContext['data']): Promise<void> {
  if (policy === 'subscribers' && !conn.isSubscribed(channel)) throw new RequestError(ErrorCode.NotSubscribed, `subscribe to ${channel} before you ${what}`)
  if (!(await permits(policy, context(conn, channel, data), conn.isSubscribed(channel), conn.ctx.options.logger))) {
    throw new RequestError(ErrorCode.PermissionDenied, `not allowed to ${what} ${channel}`)
  }
}

export async function dispatch(conn: Connection, frame: Request): Promise<void> {
  try {
    switch (frame.type) {
      case 'subscribe':
        return await subscribe(conn, frame)
      case 'unsubscribe':
        return await unsubscribe(conn, frame.id, frame.channel)
      case 'publish':
        return await publish(conn, frame)
      case 'presence':
        return await presenceQuery(conn, frame.id, frame.channel)
      case 'history':
        return await historyQuery(conn, frame)
      case 'state':
        if (conn.session !== undefined) await conn.ctx.presence.setState(conn.session, frame.state)
        return conn.send({ type: 'state', id: frame.id, state: frame.state })
    }
  } catch (err) {
    if (err instanceof RequestError) return conn.sendError(frame.id, err.code, err.message)
    conn.ctx.options.logger.error('request handler failed', { type: frame.type, client: conn.client, error: (err as Error)?.message })
    conn.sendError(frame.id, ErrorCode.Internal, 'internal error')
  }
}

async function subscribe(conn: Connection, frame: SubscribeFrame): Promise<void> {
  const rule = ruleOf(conn, frame.channel)
  if (conn.isSubscribed(frame.channel)) throw new RequestError(ErrorCode.AlreadySubscribed, `already subscribed to ${frame.channel}`)
  if (conn.subscriptionCount >= conn.ctx.options.limits.maxSubscriptions) throw new RequestError(ErrorCode.LimitExceeded, `at most ${conn.ctx.options.limits.maxSubscriptions} subscriptions per connection`)
  await check(conn, rule.subscribe, frame.channel, 'subscribe to')
  await subscribeChannel(conn, frame.channel, rule, frame.id, frame.since)
}

/**
 * Subscribes a connection (also used for server-side subscriptions, id 0). Handles the
 * subscribe-then-read race: the node joins the broker channel first, live publications are
 * buffered while history is read, then merged after the reply, deduplicated by offset.
 */
export async function subscribeChannel(conn: Connection, channel: string, rule: ChannelRule, id: number, since: StreamPosition | undefined): Promise<void> {
  // Closed while the permission check was pending: onClose has run, and would never take the
  // connection out of the hub again.
  if (conn.state !== 'open') return
  const { hub, broker, presence } = conn.ctx
  const sub = conn.newSubscription(channel, rule)
  conn.addSubscription(sub)
  const reply: SubscribedFrame = { type: 'subscribed', id, channel }
  let top: StreamPosition | undefined
  try {
    await hub.subscribe(channel, sub)
    const history = historyOptions(rule)
    if (history !== undefined) {
      const read = await broker.history(channel, since === undefined ? { limit: 0 } : { since }, history)
      top = { epoch: read.epoch, offset: read.offset }
      reply.epoch = read.epoch
      reply.offset = read.offset
      if (since !== undefined) Object.assign(reply, recoveryOutcome(since, read))
    } else if (since !== undefined) {
      // No history on this channel: nothing can be recovered (G2).
      reply.recovered = false
      reply.publications = []
    }
  } catch (err) {
    conn.removeSubscription(sub)
    throw unavailable(err)
  }
  if (conn.subscription(channel) !== sub || conn.state !== 'open') return
  conn.send(reply)
  sub.state = 'live'
  // Offsets up to the read's top were in the reply (or are before the position it reports):
  // buffered and late live copies of them are dropped by Subscription.deliver.
  sub.floor = top
  sub.epoch = top?.epoch
  sub.sentTop = top?.offset ?? 0
  const buffered = sub.buffer
  sub.buffer = []
  for (const message of buffered) sub.deliver(message)
  const record = conn.session
  if (rule.presence && record !== undefined && record.presence?.has(channel) !== true) await presence.join(record, channel)
}

async function unsubscribe(conn: Connection, id: number, channel: string): Promise<void> {
  const sub = conn.subscription(channel)
  if (sub === undefined) throw new RequestError(ErrorCode.NotSubscribed, `not subscribed to ${channel}`)
  conn.removeSubscription(sub)
  conn.send({ type: 'unsubscribed', id, channel })
  if (conn.session !== undefined) await conn.ctx.presence.leave(conn.session, channel)
}

/** G5: a client message id is deduplicated per (user, or session when anonymous), channel and mid. */
export function midKey(conn: Connection, channel: string, mid: string): string {
  const who = conn.user !== '' ? `u:${conn.user}` : `s:${conn.session?.id ?? ''}`
  return `mid:${who}:${channel}:${mid}`
}

async function publish(conn: Connection, frame: PublishFrame): Promise<void> {
  const rule = ruleOf(conn, frame.channel)
  await check(conn, rule.publish, frame.channel, 'publish to', frame.data)
  const { broker, options, stats } = conn.ctx
  const history = historyOptions(rule)
  const opts: Parameters<typeof broker.publish>[3] = {}
  if (history !== undefined) opts.history = history
  if (frame.mid !== undefined) {
    opts.idempotencyKey = midKey(conn, frame.channel, frame.mid)
    opts.idempotencyTtlMs = options.idempotencyWindowMs
  }
  let result
  try {
    result = await broker.publish(frame.channel, frame.data, { client: conn.client, user: conn.user }, opts)
  } catch (err) {
    options.logger.warn('publish failed', { channel: frame.channel, error: (err as Error)?.message })
    throw unavailable(err)
  }
  if (!result.duplicate) stats.publications++
  const ack: Parameters<typeof conn.send>[0] = { type: 'ack', id: frame.id }
  if (result.epoch !== undefined) ack.epoch = result.epoch
  if (result.offset !== undefined) ack.offset = result.offset
  if (result.duplicate) ack.duplicate = true
  conn.send(ack)
}

async function presenceQuery(conn: Connection, id: number, channel: string): Promise<void> {
  const rule = ruleOf(conn, channel)
  if (!rule.presence) throw new RequestError(ErrorCode.NotAvailable, `presence is off for ${channel}`)
  await check(conn, rule.read, channel, 'read presence of')
  let members
  try {
    members = await conn.ctx.presenceStore.list(channel)
  } catch (err) {
    throw unavailable(err)
  }
  conn.send({ type: 'presence', id, channel, members })
}

/** True when `since` is still fully covered by the stream read (same test as recovery, G2). */
export function covers(since: StreamPosition, read: { epoch: string; offset: number; firstOffset: number }): boolean {
  return since.epoch === read.epoch && since.offset <= read.offset && read.firstOffset <= since.offset + 1
}

async function historyQuery(conn: Connection, frame: HistoryQueryFrame): Promise<void> {
  const rule = ruleOf(conn, frame.channel)
  const history = historyOptions(rule)
  if (history === undefined) throw new RequestError(ErrorCode.NotAvailable, `history is off for ${frame.channel}`)
  await check(conn, rule.read, frame.channel, 'read history of')
  const query: { since?: StreamPosition; limit?: number } = {}
  if (frame.since !== undefined) query.since = frame.since
  if (frame.limit !== undefined) query.limit = frame.limit
  let read
  try {
    read = await conn.ctx.broker.history(frame.channel, query, history)
  } catch (err) {
    throw unavailable(err)
  }
  const reply: Parameters<typeof conn.send>[0] = { type: 'history', id: frame.id, channel: frame.channel, epoch: read.epoch, offset: read.offset, publications: read.publications }
  if (frame.since !== undefined) reply.recovered = covers(frame.since, read)
  conn.send(reply)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

function replyFailure(conn: Connection, id: number, err: unknown): void {
  if (err instanceof RpcError) conn.sendError(id, err.code, err.message)
  else conn.sendError(id, ErrorCode.HandlerError, String((err as Error)?.message ?? err))
}

/**
 * Runs an RPC handler: unknown → 103, RpcError → its code, other throw → 111, too slow → 107.
 *
 * The handler is called first, and a timeout is armed only when it returns a thenable: a
 * synchronous handler is answered at once. A timer, a `Promise.race` and a
 * `Promise.resolve().then` on every call were 6.3 % of the RPC profile (bench/analysis.md).
 */
export function runRpc(conn: Connection, frame: RpcFrame): void {
  const { rpc } = conn.ctx
  if (!Object.hasOwn(rpc, frame.method) || typeof rpc[frame.method] !== 'function') {
    conn.sendError(frame.id, ErrorCode.MethodNotFound, `no RPC method ${frame.method}`)
    return
  }
  const handler = rpc[frame.method] as NonNullable<(typeof rpc)[string]>
  let result: unknown
  try {
    result = handler(frame.data, { user: conn.user, client: conn.client, session: conn.session?.id ?? '' })
  } catch (err) {
    replyFailure(conn, frame.id, err)
    return
  }
  if (isThenable(result)) awaitReply(conn, frame, result)
  else conn.reply(frame.id, result)
}

/** Answers with whichever comes first: the handler's outcome or the RPC timeout. */
function awaitReply(conn: Connection, frame: RpcFrame, pending: PromiseLike<unknown>): void {
  const { clock, rpcTimeoutMs } = conn.ctx.options
  let settled = false
  const timer = clock.setTimeout(() => {
    if (settled) return
    settled = true
    conn.sendError(frame.id, ErrorCode.Timeout, `RPC ${frame.method} timed out`)
  }, rpcTimeoutMs)
  const settle = (): boolean => {
    if (settled) return false
    settled = true
    clock.clearTimeout(timer)
    return true
  }
  // Promise.resolve adopts any thenable, including one whose then() throws (→ a rejection).
  Promise.resolve(pending).then(
    (value) => {
      if (settle()) conn.reply(frame.id, value)
    },
    (err: unknown) => {
      if (settle()) replyFailure(conn, frame.id, err)
    },
  )
}
