import { CloseCode, encodeFrame, ErrorCode, expandCompactPub, PROTOCOL_VERSIONS } from '@minisocket/protocol'
import type { ClientFrame, ConnectedFrame, ServerFrame } from '@minisocket/protocol'
import type { SocketHandle } from './adapter.js'
import { backoffDelay } from './backoff.js'
import { createEmitter } from './emitter.js'
import { ClientError, isRetryableClose } from './errors.js'
import { createWatchdog } from './heartbeat.js'
import { silentLogger } from './logger.js'
import { closedError, createPublisher } from './publisher.js'
import { createRequests, numbered } from './requests.js'
import { clientTransitions, type ClientState } from './states.js'
import { createSubscription, type HistoryResult, type SubscriptionHost, type SubscriptionInternals } from './subscription.js'
import type { Client, ClientEvents, ClientOptions } from './types.js'

/**
 * Creates a client. Platform entries (`@minisocket/client/browser`, `/node`) pre-bind the
 * adapter and the real clock; this core function takes both explicitly.
 *
 * @example
 * const client = createClient({ url, adapter, clock })
 * client.on('state', ({ from, to, code }) => console.log(from, '→', to, code))
 * client.connect()
 */
export function createClient(options: ClientOptions): Client {
  const { adapter, clock, url } = options
  const logger = options.logger ?? silentLogger
  const timeout = options.timeout ?? 10_000
  const random = options.random ?? Math.random
  const openOptions = { ...(options.protocols && { protocols: options.protocols }), ...(options.headers && { headers: options.headers }) }
  const events = createEmitter<ClientEvents>(logger)
  const subs = new Map<string, SubscriptionInternals>()
  /** Per channel, the epoch last heard on this connection: what a v2 `pub` without one is in. */
  const epochs = new Map<string, string>()
  let state: ClientState = 'closed'
  let socket: SocketHandle | undefined
  let generation = 0 // bumped whenever a socket is abandoned: its late callbacks are ignored
  let failures = 0 // failed attempts since the last `connected`: the backoff exponent
  let timer: unknown // connect timeout while connecting, retry timer while disconnected
  let connection: ConnectedFrame | undefined
  let session: string | undefined
  let ready = false // connected and resubscribed: the outbox may flush (features.md §3.8)
  let online = true

  const setState = (to: ClientState, code = 0, reason = ''): void => {
    const from = state
    if (from === to) return
    if (!clientTransitions[from].includes(to)) logger.error('client: illegal transition', { from, to })
    state = to
    logger.debug('client state', { from, to, code, reason })
    events.emit('state', { from, to, code, reason })
  }

  const clearTimer = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
  }

  const transmit = (frame: ClientFrame): boolean => {
    try {
      socket?.send(encodeFrame(frame))
      return socket !== undefined
    } catch (error) {
      logger.warn('send failed', { error })
      return false
    }
  }

  const requests = createRequests(clock, (frame) => state === 'connected' && transmit(frame))
  const watchdog = createWatchdog(clock, () => drop(CloseCode.HeartbeatTimeout, 'no frame within ping + pongTimeout'))

  const publisher = createPublisher(
    {
      clock, logger, random, timeout, events, requests,
      closed: () => state === 'closed',
      ready: () => ready,
      maxMessageSize: () => connection?.maxMessageSize,
    },
    options.outbox,
  )

  /** Abandons the current socket and its timers; requests sent on it fail with Disconnected. */
  const teardown = (code: number, reason: string): void => {
    generation++
    const old = socket
    socket = undefined
    connection = undefined
    ready = false
    watchdog.stop()
    clearTimer()
    // Closing an already-closed socket is harmless by the adapter contract, and frees the
    // platform's task slot when the platform reported only an error (platform-api.md §6.8).
    try {
      old?.close(code === 1000 || (code >= 3000 && code < 5000) ? code : CloseCode.Shutdown, reason)
    } catch (error) {
      logger.warn('socket close failed', { error })
    }
    requests.fail(new ClientError(ErrorCode.Disconnected, reason || 'disconnected'), false)
    for (const sub of subs.values()) sub.disconnected(code, reason)
  }

  /** The connection ended: retry with backoff (at least `retryAfter`), or stop on a terminal code. */
  const drop = (code: number, reason: string, retryAfter = 0, retry = isRetryableClose(code)): void => {
    teardown(code, reason)
    if (!retry) {
      // Nothing will connect until the app says so: requests still waiting for a connection fail too.
      requests.fail(new ClientError(ErrorCode.Disconnected, reason || 'closed by the server'), true)
      return setState('closed', code, reason)
    }
    if (online) timer = clock.setTimeout(open, Math.max(retryAfter, backoffDelay(failures++, options.backoff)))
    setState('disconnected', code, reason)
  }

  const open = (): void => {
    clearTimer()
    const mine = ++generation
    const live = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A): void => {
      if (mine === generation) fn(...args)
    }
    timer = clock.setTimeout(live(() => drop(CloseCode.HandshakeTimeout, 'connect timeout')), timeout)
    setState('connecting')
    Promise.resolve()
      .then(() => options.token?.())
      .then(
        live((token: string | null | undefined) => {
          const handle = adapter.open(url, openOptions, {
            onOpen: live(() => {
              transmit({
                type: 'connect',
                id: requests.nextId(),
                versions: [...PROTOCOL_VERSIONS],
                ...(token ? { token } : {}),
                ...(session !== undefined && { session }),
                ...(options.info !== undefined && { info: options.info }),
              })
            }),
            onMessage: live(receive),
            onClose: live((code: number, reason: string) => drop(code, reason)),
            onError: live((error: unknown) => {
              logger.warn('socket error', { error })
              drop(CloseCode.Abnormal, 'socket error')
            }),
          })
          if (mine === generation) socket = handle
          else handle.close(CloseCode.Shutdown, 'abandoned')
        }),
        live((error: unknown) => {
          const fatal = error instanceof ClientError && !error.retryable
          events.emit('error', error instanceof ClientError ? error : new ClientError(ErrorCode.Unavailable, `token provider failed: ${String(error)}`))
          drop(fatal ? CloseCode.Unauthorized : CloseCode.Unavailable, 'token provider failed')
        }),
      )
      .catch(live((error: unknown) => drop(CloseCode.Abnormal, `adapter failed to open: ${String(error)}`)))
  }

  const onConnected = (f: ConnectedFrame): void => {
    if (state !== 'connecting') return
    clearTimer()
    failures = 0
    connection = f
    session = f.session
    epochs.clear()
    watchdog.start(f.ping > 0 ? f.ping + f.pongTimeout : 0)
    const mine = generation
    setState('connected')
    if (mine === generation) events.emit('connected', f)
    if (mine !== generation) return
    // Resubscribe everything, then flush the outbox once every subscribe has its answer.
    let waiting = 1
    const settled = (): void => {
      if (--waiting === 0 && mine === generation) {
        ready = true
        publisher.flush()
      }
    }
    for (const sub of [...subs.values()]) {
      waiting++
      sub.subscribe().then(settled, settled)
    }
    requests.flush()
    settled()
  }

  /**
   * Frames are parsed, not validated field by field: the strict decoder of @minisocket/protocol
   * costs 2.5 KB gzip, 40 % of the size budget. The server is the one we chose to trust; what a
   * broken frame could break is guarded instead: offsets are type-checked where continuity is
   * judged (subscription.ts), and a frame whose handling throws is reported, never propagated
   * into the platform's socket callback.
   */
  const receive = (data: string | ArrayBuffer): void => {
    watchdog.kick()
    try {
      const parsed: unknown = JSON.parse(data as string)
      const f = (Array.isArray(parsed) ? expandCompactPub(parsed) : parsed) as ServerFrame
      if (typeof f?.type !== 'string') throw new TypeError('not a frame')
      dispatch(f)
    } catch (error) {
      // Ignored, not fatal: a lost `pub` is caught by the offset check on the next one (G3).
      logger.warn('bad frame from server', { error })
      events.emit('error', new ClientError(ErrorCode.BadRequest, `bad frame from server: ${String(error)}`))
    }
  }

  const dispatch = (f: ServerFrame): void => {
    if (f.type === 'subscribed' && f.epoch !== undefined) epochs.set(f.channel, f.epoch)
    switch (f.type) {
      case 'ping':
        transmit({ type: 'pong' })
        return
      case 'pong':
        return
      case 'connected':
        return onConnected(f)
      case 'disconnect':
        return drop(f.code, f.reason, f.retryAfter, f.reconnect)
      case 'pub': {
        // v2 leaves the epoch off while it is the one last heard on the channel (codec.ts encodeCompactPub).
        const epoch = f.epoch ?? epochs.get(f.channel)
        if (epoch !== undefined) epochs.set(f.channel, (f.epoch = epoch))
        const sub = subs.get(f.channel)
        if (sub) sub.pub(f)
        else events.emit('publication', { channel: f.channel, data: f.data, offset: f.offset, epoch: f.epoch, info: f.info })
        return
      }
      case 'join':
      case 'leave':
        subs.get(f.channel)?.member(f.type === 'join', f.member)
        return
    }
    if ((f.id === undefined || !requests.settle(f, f.id)) && f.type === 'error') {
      events.emit('error', new ClientError(f.code, f.message))
    }
  }

  const request = <T>(frame: Parameters<typeof requests.request>[0], ms: number, pick: (f: ServerFrame) => T): Promise<T> =>
    state === 'closed' ? Promise.reject(closedError()) : requests.request(frame, ms).then(pick)

  const host: SubscriptionHost = {
    get connected() {
      return state === 'connected'
    },
    clock,
    logger,
    timeout,
    request: (frame, ms, onReply) => requests.request(frame, ms, onReply),
    send: (frame) => void transmit(numbered(frame, requests.nextId())),
    retryDelay: (attempt) => backoffDelay(attempt, options.backoff),
    remove: (channel) => subs.delete(channel),
    history: (channel, query = {}) => client.history(channel, query),
    presence: (channel) => client.presence(channel),
  }

  const client: Client = {
    get state() {
      return state
    },
    get connection() {
      return connection
    },
    connect() {
      if (state === 'connecting' || state === 'connected') return
      failures = 0
      open()
    },
    reconnect() {
      if (state !== 'closed') teardown(CloseCode.Shutdown, 'reconnect')
      failures = 0
      open()
    },
    suspend() {
      if (state === 'closed' || state === 'suspended') return
      teardown(CloseCode.Suspended, 'suspended')
      setState('suspended', CloseCode.Suspended, 'suspended')
    },
    resume() {
      if (state === 'suspended' || state === 'disconnected') client.connect()
    },
    close() {
      requests.fail(closedError(), true)
      publisher.clear()
      teardown(CloseCode.Normal, 'client closed')
      session = undefined
      setState('closed', CloseCode.Normal, 'client closed')
    },
    subscribe(channel, handlers = {}, subscribeOptions = {}) {
      if (subs.has(channel)) throw new ClientError(ErrorCode.AlreadySubscribed, `already subscribed to ${channel}`)
      const sub = createSubscription(channel, host, subscribeOptions.since, handlers)
      subs.set(channel, sub)
      void sub.subscribe()
      return sub
    },
    subscription: (channel) => subs.get(channel),
    publish: publisher.publish,
    rpc: (method, data = null, { timeout: ms = timeout } = {}) => request({ type: 'rpc', method, data }, ms, (f) => (f.type === 'reply' ? f.data : null)),
    history: (channel, query = {}) =>
      request({ type: 'history', channel, ...query }, timeout, (f) => {
        if (f.type !== 'history') throw new ClientError(ErrorCode.Internal, `unexpected ${f.type} reply`)
        const result: HistoryResult = { epoch: f.epoch, offset: f.offset, publications: f.publications }
        if (f.recovered !== undefined) result.recovered = f.recovered
        return result
      }),
    presence: (channel) => request({ type: 'presence', channel }, timeout, (f) => (f.type === 'presence' ? f.members : [])),
    on: (type, fn) => events.on(type, fn),
  }

  const { lifecycle } = options
  lifecycle?.onHide(() => client.suspend())
  lifecycle?.onShow(() => client.resume())
  lifecycle?.onNetwork?.((up) => {
    online = up
    if (state !== 'disconnected') return
    if (up) client.connect()
    else clearTimer() // stop retrying until the network returns
  })
  return client
}
