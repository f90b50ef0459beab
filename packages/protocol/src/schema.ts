/** One reader per frame type: the allowlist of frame types and their fields, per direction. */
import type * as F from './frames.js'
import type { Reader } from './reader.js'

type Readers<U extends { type: string }> = { [K in U['type']]: (r: Reader) => Extract<U, { type: K }> }

function withOptional<T extends object, K extends string, V>(obj: T, key: K, value: V | undefined): T {
  if (value !== undefined) (obj as Record<string, unknown>)[key] = value
  return obj
}

export const clientFrameReaders: Readers<F.ClientFrame> = {
  connect: (r) => {
    const f: F.ConnectFrame = { type: 'connect', id: r.id(), versions: r.intArray('versions', 16) }
    withOptional(f, 'token', r.optStr('token', r.limits.maxTokenLength))
    withOptional(f, 'session', r.optStr('session', 128))
    return withOptional(f, 'info', r.optJson('info'))
  },
  subscribe: (r) => withOptional<F.SubscribeFrame, 'since', F.StreamPosition>({ type: 'subscribe', id: r.id(), channel: r.name('channel', r.limits.maxChannelLength) }, 'since', r.position('since')),
  unsubscribe: (r) => ({ type: 'unsubscribe', id: r.id(), channel: r.name('channel', r.limits.maxChannelLength) }),
  publish: (r) => {
    const f: F.PublishFrame = { type: 'publish', id: r.id(), channel: r.name('channel', r.limits.maxChannelLength), data: r.json('data') }
    return withOptional(f, 'mid', r.optStr('mid', 128))
  },
  rpc: (r) => ({ type: 'rpc', id: r.id(), method: r.name('method', r.limits.maxMethodLength), data: r.has('data') ? r.json('data') : null }),
  presence: (r) => ({ type: 'presence', id: r.id(), channel: r.name('channel', r.limits.maxChannelLength) }),
  history: (r) => {
    const f: F.HistoryQueryFrame = { type: 'history', id: r.id(), channel: r.name('channel', r.limits.maxChannelLength) }
    withOptional(f, 'since', r.position('since'))
    const limit = r.optInt('limit', 1)
    if (limit !== undefined && limit > r.limits.maxHistoryLimit) r.fail(`limit must be at most ${r.limits.maxHistoryLimit}`)
    return withOptional(f, 'limit', limit)
  },
  state: (r) => ({ type: 'state', id: r.id(), state: r.state('state') }),
  ping: () => ({ type: 'ping' }),
  pong: () => ({ type: 'pong' }),
}

export const serverFrameReaders: Readers<F.ServerFrame> = {
  connected: (r) => ({
    type: 'connected',
    id: r.id(),
    version: r.int('version', 1),
    session: r.str('session', 128),
    client: r.str('client', 128),
    user: r.str('user', r.limits.maxTokenLength),
    time: r.int('time'),
    ping: r.int('ping'),
    pongTimeout: r.int('pongTimeout'),
    resumeWindow: r.int('resumeWindow'),
    maxMessageSize: r.int('maxMessageSize', 1),
    resumed: r.bool('resumed'),
  }),
  subscribed: (r) => {
    const f: F.SubscribedFrame = { type: 'subscribed', id: r.int('id', 0), channel: r.str('channel', r.limits.maxChannelLength) }
    withOptional(f, 'epoch', r.optStr('epoch', 64))
    withOptional(f, 'offset', r.optInt('offset', 0))
    withOptional(f, 'recovered', r.optBool('recovered'))
    return withOptional(f, 'publications', r.has('publications') ? r.publications('publications') : undefined)
  },
  unsubscribed: (r) => ({ type: 'unsubscribed', id: r.int('id', 0), channel: r.str('channel', r.limits.maxChannelLength) }),
  ack: (r) => {
    const f: F.AckFrame = { type: 'ack', id: r.id() }
    withOptional(f, 'epoch', r.optStr('epoch', 64))
    withOptional(f, 'offset', r.optInt('offset', 0))
    return withOptional(f, 'duplicate', r.optBool('duplicate'))
  },
  reply: (r) => ({ type: 'reply', id: r.id(), data: r.has('data') ? r.json('data') : null }),
  presence: (r) => ({ type: 'presence', id: r.id(), channel: r.str('channel', r.limits.maxChannelLength), members: r.members('members') }),
  history: (r) => {
    const f: F.HistoryReplyFrame = {
      type: 'history',
      id: r.id(),
      channel: r.str('channel', r.limits.maxChannelLength),
      epoch: r.str('epoch', 64),
      offset: r.int('offset'),
      publications: r.publications('publications'),
    }
    return withOptional(f, 'recovered', r.optBool('recovered'))
  },
  state: (r) => ({ type: 'state', id: r.id(), state: r.state('state') }),
  pub: (r) => {
    const f: F.PubFrame = { type: 'pub', channel: r.str('channel', r.limits.maxChannelLength), data: r.json('data') }
    withOptional(f, 'epoch', r.optStr('epoch', 64))
    withOptional(f, 'offset', r.optInt('offset', 0))
    return withOptional(f, 'info', r.publisher('info'))
  },
  join: (r) => ({ type: 'join', channel: r.str('channel', r.limits.maxChannelLength), member: r.member('member') }),
  leave: (r) => ({ type: 'leave', channel: r.str('channel', r.limits.maxChannelLength), member: r.member('member') }),
  disconnect: (r) => {
    const f: F.DisconnectFrame = { type: 'disconnect', code: r.int('code', 1000), reason: r.str('reason', 123), reconnect: r.bool('reconnect') }
    return withOptional(f, 'retryAfter', r.optInt('retryAfter', 0))
  },
  error: (r) => {
    const f: F.ErrorFrame = { type: 'error', code: r.int('code', 0), message: r.str('message', 1024) }
    return withOptional(f, 'id', r.optInt('id', 1))
  },
  ping: () => ({ type: 'ping' }),
  pong: () => ({ type: 'pong' }),
}
