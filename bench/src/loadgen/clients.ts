/**
 * The wire dialects the load generator speaks, behind one small interface, so the same worker
 * drives every peer:
 *  - textproto: the raw `ws` peers' text protocol (see servers/ws-common.ts); `raw-envelope` is
 *    it with publications in minisocket's compact pub (the diagnostic ws-naive-envelope);
 *  - minisocket: the minisocket protocol (v2: compact `pub` arrays): connect → subscribe → pub;
 *  - engineio: socket.io 4's wire format (engine.io v4 packets over a websocket), by hand;
 *  - socketio: socket.io-client 4 itself, websocket transport, one engine connection per client;
 *  - minisocket-client: @minisocket/client itself (node entry, its built-in WebSocket client),
 *    so the figures include our client library as an app would use it.
 * The hand-written dialects run over either transport: `ws`'s client (`textproto`, `minisocket`)
 * or the lean one (`raw-*`): @minisocket/client's own RFC 6455 client (its Node adapter, reads
 * through one shared buffer, no streams), which fan-out, max-rate and idle use for every peer so
 * that the receiving side costs every peer the same and as little as it can (bench/analysis.md).
 * Every receiver decodes the JSON once per delivery, as an application would.
 */
import { WebSocket } from 'ws'
import { io } from 'socket.io-client'
import { createClient, nodeAdapter } from '@minisocket/client/node'

export type ClientKind = 'textproto' | 'minisocket' | 'raw-textproto' | 'raw-envelope' | 'raw-minisocket' | 'raw-engineio' | 'socketio' | 'minisocket-client'

/** A delivery: the message's sequence number and its publish timestamp (µs). */
export type OnDelivery = (seq: number, tUs: number) => void
/** A reply to a request: the request's own send timestamp (µs) echoed back. */
export type OnReply = (tUs: number) => void

export interface BenchConn {
  subscribe(channel: string): Promise<void>
  request(tUs: number, pad: string, onReply: OnReply): void
  close(): void
}

export interface ConnectOptions {
  kind: ClientKind
  port: number
  timeoutMs: number
  onDelivery: OnDelivery
  onBadFrame: () => void
}

export function connectClient(o: ConnectOptions): Promise<BenchConn> {
  switch (o.kind) {
    case 'textproto': return connectTextproto(o, openWsLib)
    case 'minisocket': return connectMinisocket(o, openWsLib)
    case 'raw-textproto': return connectTextproto(o, openRaw)
    case 'raw-envelope': return connectTextproto(o, openRaw, true)
    case 'raw-minisocket': return connectMinisocket(o, openRaw)
    case 'raw-engineio': return connectEngineio(o, openRaw)
    case 'socketio': return connectSocketio(o)
    case 'minisocket-client': return connectMinisocketClient(o)
  }
}

/** A text-message transport: `ws`'s client or the lean one. */
interface Transport { send(text: string): void; close(): void }
type OpenTransport = (o: ConnectOptions, path: string, onText: (text: string) => void, onClose: () => void) => Promise<Transport>

function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { onTimeout(); reject(new Error(`${what} timed out after ${ms} ms`)) }, ms)
    p.then((v) => { clearTimeout(timer); resolve(v) }, (e: unknown) => { clearTimeout(timer); reject(e instanceof Error ? e : new Error(String(e))) })
  })
}

const openWsLib: OpenTransport = (o, path, onText, onClose) => {
  const ws = new WebSocket(`ws://127.0.0.1:${o.port}${path}`, { perMessageDeflate: false })
  const opened = new Promise<Transport>((resolve, reject) => {
    ws.once('open', () => {
      ws.on('error', () => undefined)
      ws.on('close', onClose)
      ws.on('message', (data) => onText(data.toString()))
      resolve({ send: (text) => ws.send(text), close: () => ws.terminate() })
    })
    ws.once('error', reject)
    ws.once('close', () => reject(new Error('closed before open')))
  })
  return withTimeout(opened, o.timeoutMs, 'ws open', () => ws.terminate())
}

/** The lean transport: the Node adapter of @minisocket/client (packages/client/src/adapters/node-socket.ts). */
const leanAdapter = nodeAdapter()

export const openRaw: OpenTransport = (o, path, onText, onClose) => {
  let state: 'connecting' | 'open' | 'closed' = 'connecting'
  /** Messages that came with the 101, until the opener's `await` has returned (see onOpen). */
  let early: string[] | undefined = []
  let settle: { resolve: (t: Transport) => void; reject: (e: Error) => void } | undefined
  const opened = new Promise<Transport>((resolve, reject) => { settle = { resolve, reject } })
  const handle = leanAdapter.open(`ws://127.0.0.1:${o.port}${path}`, {}, {
    onOpen: () => {
      state = 'open'
      settle?.resolve(transport)
      settle = undefined
      // engine.io's open packet can share a read with the 101; the dialect's handlers may use
      // the transport the opener awaits (a ping wants a pong), so they run once it has it.
      setImmediate(() => {
        const held = early ?? []
        early = undefined
        for (const text of held) if (state === 'open') onText(text)
      })
    },
    // The adapter calls onMessage only between onOpen and onClose (its contract). No peer sends
    // binary: one would be a broken dialect, counted like an unreadable frame.
    onMessage: (data) => {
      if (typeof data !== 'string') o.onBadFrame()
      else if (early) early.push(data)
      else onText(data)
    },
    onError: () => undefined,
    onClose: (code, reason) => {
      const was = state
      state = 'closed'
      settle?.reject(new Error(`closed before open: ${code} ${reason}`))
      settle = undefined
      if (was === 'open') onClose()
    },
  })
  const transport: Transport = { send: (text) => handle.send(text), close: () => handle.close(1000, '') }
  return withTimeout(opened, o.timeoutMs, 'ws open', () => handle.close(1000, ''))
}

interface Pending { resolve: () => void; reject: (e: Error) => void }

/** `envelope`: publications come in minisocket's compact pub, `["p", channel, data, offset]` (ws-naive-envelope, a diagnostic). */
async function connectTextproto(o: ConnectOptions, open: OpenTransport, envelope = false): Promise<BenchConn> {
  let pendingSub: Pending | undefined
  let onReply: OnReply | undefined
  type Data = { s?: number; t?: number; op?: string } | undefined
  const onData = (m: Data): void => {
    if (m?.op === 'subok') { pendingSub?.resolve(); pendingSub = undefined; return }
    if (m?.op === 'echo' && typeof m.t === 'number') { const cb = onReply; onReply = undefined; cb?.(m.t); return }
    if (typeof m?.s === 'number' && typeof m.t === 'number') o.onDelivery(m.s, m.t)
    else o.onBadFrame()
  }
  // Chosen once per connection, so that the judged ws peers' receiver never looks for the envelope.
  const onText = envelope
    ? (text: string): void => {
      let m: Data | [string, string, Data]
      try { m = JSON.parse(text) as typeof m } catch { o.onBadFrame(); return }
      onData(Array.isArray(m) ? m[2] : m)
    }
    : (text: string): void => {
      let m: Data
      try { m = JSON.parse(text) as Data } catch { o.onBadFrame(); return }
      onData(m)
    }
  const ws = await open(o, '/', onText, () => { pendingSub?.reject(new Error('closed')); pendingSub = undefined })
  return {
    subscribe: (channel) => withTimeout(new Promise<void>((resolve, reject) => {
      pendingSub = { resolve, reject }
      ws.send(JSON.stringify({ op: 'sub', ch: channel }))
    }), o.timeoutMs, 'subscribe', () => undefined),
    request: (tUs, pad, cb) => { onReply = cb; ws.send(`{"op":"echo","t":${tUs},"p":"${pad}"}`) },
    close: () => ws.close(),
  }
}

/**
 * socket.io 4 by hand: engine.io v4 packets over a websocket (`0` open, `2`/`3` ping/pong,
 * `4` message), each message a socket.io packet (`0` connect, `2` event, `3` ack, with an ack id
 * before the JSON array): `40` joins the default namespace, `421["sub","bench"]` is acknowledged
 * by `431[...]`, and a broadcast arrives as `42["m",{...}]`.
 */
async function connectEngineio(o: ConnectOptions, open: OpenTransport): Promise<BenchConn> {
  let connected: Pending | undefined
  /** Ack callbacks by id: the ack's arguments, or an Error when the connection closed first. */
  const acks = new Map<number, (args: unknown[] | Error) => void>()
  let nextAck = 1
  const ws = await open(o, '/socket.io/?EIO=4&transport=websocket', (text) => {
    if (text.startsWith('42')) {
      let a: [string, { s?: unknown; t?: unknown } | undefined]
      try { a = JSON.parse(text.slice(2)) as typeof a } catch { o.onBadFrame(); return }
      const d = a[1]
      if (a[0] === 'm' && typeof d?.s === 'number' && typeof d.t === 'number') o.onDelivery(d.s, d.t)
      else o.onBadFrame()
      return
    }
    if (text === '2') { ws.send('3'); return }
    if (text.startsWith('43')) {
      const bracket = text.indexOf('[')
      const id = Number(text.slice(2, bracket))
      const cb = acks.get(id)
      acks.delete(id)
      let args: unknown[]
      try { args = JSON.parse(text.slice(bracket)) as unknown[] } catch { o.onBadFrame(); return }
      cb?.(args)
      return
    }
    if (text.startsWith('40')) { connected?.resolve(); connected = undefined; return }
    if (text.startsWith('44')) { connected?.reject(new Error(`socket.io connect error: ${text.slice(2, 200)}`)); connected = undefined; return }
    if (text.startsWith('0')) return // engine.io open: handshake data, nothing to do
    o.onBadFrame()
  }, () => {
    connected?.reject(new Error('closed'))
    connected = undefined
    for (const cb of acks.values()) cb(new Error('closed'))
    acks.clear()
  })
  const emit = (args: unknown[], cb: (args: unknown[] | Error) => void): number => {
    const id = nextAck++
    acks.set(id, cb)
    ws.send(`42${id}${JSON.stringify(args)}`)
    return id
  }
  try {
    await withTimeout(new Promise<void>((resolve, reject) => {
      connected = { resolve, reject }
      ws.send('40')
    }), o.timeoutMs, 'socket.io connect', () => undefined)
  } catch (e) {
    ws.close()
    throw e
  }
  return {
    subscribe: (channel) => {
      let id = 0
      return withTimeout(new Promise<void>((resolve, reject) => {
        id = emit(['sub', channel], (args) => { if (args instanceof Error) reject(args); else resolve() })
      }), o.timeoutMs, 'subscribe', () => acks.delete(id))
    },
    request: (tUs, pad, cb) => {
      emit(['echo', { t: tUs, p: pad }], (args) => {
        if (args instanceof Error) return // closed: the closed loop's own bound ends the window
        const t = (args[0] as { t?: unknown } | undefined)?.t
        if (typeof t === 'number') cb(t)
        else o.onBadFrame()
      })
    },
    close: () => ws.close(),
  }
}

async function connectSocketio(o: ConnectOptions): Promise<BenchConn> {
  const socket = io(`http://127.0.0.1:${o.port}`, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: o.timeoutMs })
  await withTimeout(new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  }), o.timeoutMs, 'socket.io connect', () => socket.close())
  socket.on('m', (m: { s?: unknown; t?: unknown }) => {
    if (typeof m?.s === 'number' && typeof m.t === 'number') o.onDelivery(m.s, m.t)
    else o.onBadFrame()
  })
  return {
    subscribe: (channel) => withTimeout(new Promise<void>((resolve) => { socket.emit('sub', channel, () => resolve()) }), o.timeoutMs, 'subscribe', () => undefined),
    request: (tUs, pad, cb) => {
      socket.emit('echo', { t: tUs, p: pad }, (reply: { t?: unknown }) => {
        if (typeof reply?.t === 'number') cb(reply.t)
        else o.onBadFrame()
      })
    },
    close: () => { socket.close() },
  }
}

/** Minisocket v2 with the protocol written by hand: the lightest possible receiver of it. */
async function connectMinisocket(o: ConnectOptions, open: OpenTransport): Promise<BenchConn> {
  const pending = new Map<number, Pending>()
  const replies = new Map<number, OnReply>()
  let nextId = 1
  const ws = await open(o, '/ws', (text) => {
    type Data = { s?: unknown; t?: unknown } | undefined
    let f: { type?: string; id?: number; data?: Data } | [string, string, Data]
    try { f = JSON.parse(text) as typeof f } catch { o.onBadFrame(); return }
    if (Array.isArray(f)) { // a v2 pub: ["p", channel, data, offset, epoch?]
      const d = f[2]
      if (typeof d?.s === 'number' && typeof d.t === 'number') o.onDelivery(d.s, d.t)
      else o.onBadFrame()
      return
    }
    if (f.type === 'ping') { ws.send('{"type":"pong"}'); return }
    if (f.type === 'reply' && typeof f.id === 'number') {
      const cb = replies.get(f.id)
      replies.delete(f.id)
      if (cb && typeof f.data?.t === 'number') cb(f.data.t)
      return
    }
    if (typeof f.id === 'number' && pending.has(f.id)) {
      const p = pending.get(f.id)!
      pending.delete(f.id)
      if (f.type === 'error') p.reject(new Error(`minisocket error: ${text.slice(0, 200)}`))
      else p.resolve()
    }
  }, () => { for (const p of pending.values()) p.reject(new Error('closed')); pending.clear() })
  const ask = (frame: Record<string, unknown>): Promise<void> => {
    const id = nextId++
    return withTimeout(new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject })
      ws.send(JSON.stringify({ ...frame, id }))
    }), o.timeoutMs, String(frame['type']), () => pending.delete(id))
  }
  try {
    await ask({ type: 'connect', versions: [2] })
  } catch (e) {
    ws.close()
    throw e
  }
  return {
    subscribe: (channel) => ask({ type: 'subscribe', channel }),
    request: (tUs, pad, cb) => {
      const id = nextId++
      replies.set(id, cb)
      ws.send(`{"type":"rpc","id":${id},"method":"echo","data":{"t":${tUs},"p":"${pad}"}}`)
    },
    close: () => ws.close(),
  }
}

async function connectMinisocketClient(o: ConnectOptions): Promise<BenchConn> {
  const client = createClient({ url: `ws://127.0.0.1:${o.port}/ws`, timeout: o.timeoutMs })
  const connected = new Promise<void>((resolve) => { client.on('connected', () => resolve()) })
  client.connect()
  await withTimeout(connected, o.timeoutMs, 'minisocket client connect', () => client.close())
  return {
    subscribe: (channel) => withTimeout(new Promise<void>((resolve) => {
      client.subscribe(channel, {
        subscribed: () => resolve(),
        publication: (e) => {
          const d = e.data as { s?: unknown; t?: unknown } | null
          if (typeof d?.s === 'number' && typeof d.t === 'number') o.onDelivery(d.s, d.t)
          else o.onBadFrame()
        },
      })
    }), o.timeoutMs, 'subscribe', () => undefined),
    request: (tUs, pad, cb) => {
      client.rpc('echo', { t: tUs, p: pad }).then((reply) => {
        const t = (reply as { t?: unknown } | null)?.t
        if (typeof t === 'number') cb(t)
        else o.onBadFrame()
      }, () => o.onBadFrame())
    },
    close: () => client.close(),
  }
}
