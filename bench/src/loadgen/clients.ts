/**
 * The three wire dialects the load generator speaks, behind one small interface, so the same
 * worker drives every peer:
 *  - textproto: the raw `ws` peers' text protocol (see servers/ws-common.ts), `ws` client;
 *  - socketio: socket.io-client 4, websocket transport, one engine connection per client;
 *  - minisocket: the minisocket protocol (v2: compact `pub` arrays) over a `ws` client
 *    (connect → subscribe → pub);
 *  - minisocket-client: @minisocket/client itself (node entry, its built-in WebSocket client),
 *    so the figures include our client library as an app would use it.
 * Every receiver decodes the JSON once per delivery, as an application would.
 */
import { WebSocket } from 'ws'
import { io } from 'socket.io-client'
import { createClient } from '@minisocket/client/node'

export type ClientKind = 'textproto' | 'socketio' | 'minisocket' | 'minisocket-client'

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
    case 'textproto': return connectTextproto(o)
    case 'socketio': return connectSocketio(o)
    case 'minisocket': return connectMinisocket(o)
    case 'minisocket-client': return connectMinisocketClient(o)
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { onTimeout(); reject(new Error(`${what} timed out after ${ms} ms`)) }, ms)
    p.then((v) => { clearTimeout(timer); resolve(v) }, (e: unknown) => { clearTimeout(timer); reject(e instanceof Error ? e : new Error(String(e))) })
  })
}

function openWs(url: string, ms: number): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false })
  const opened = new Promise<WebSocket>((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('close', () => reject(new Error('closed before open')))
  })
  return withTimeout(opened, ms, 'ws open', () => ws.terminate())
}

interface Pending { resolve: () => void; reject: (e: Error) => void }

async function connectTextproto(o: ConnectOptions): Promise<BenchConn> {
  const ws = await openWs(`ws://127.0.0.1:${o.port}/`, o.timeoutMs)
  let pendingSub: Pending | undefined
  let onReply: OnReply | undefined
  ws.on('error', () => undefined)
  ws.on('message', (data) => {
    let m: { s?: number; t?: number; op?: string }
    try { m = JSON.parse(data.toString()) as typeof m } catch { o.onBadFrame(); return }
    if (m.op === 'subok') { pendingSub?.resolve(); pendingSub = undefined; return }
    if (m.op === 'echo' && typeof m.t === 'number') { const cb = onReply; onReply = undefined; cb?.(m.t); return }
    if (typeof m.s === 'number' && typeof m.t === 'number') o.onDelivery(m.s, m.t)
    else o.onBadFrame()
  })
  return {
    subscribe: (channel) => withTimeout(new Promise<void>((resolve, reject) => {
      pendingSub = { resolve, reject }
      ws.send(JSON.stringify({ op: 'sub', ch: channel }))
    }), o.timeoutMs, 'subscribe', () => undefined),
    request: (tUs, pad, cb) => { onReply = cb; ws.send(`{"op":"echo","t":${tUs},"p":"${pad}"}`) },
    close: () => ws.terminate(),
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

/** Minisocket v2 over a bare `ws` client: the lightest possible receiver of our own protocol. */
async function connectMinisocket(o: ConnectOptions): Promise<BenchConn> {
  const ws = await openWs(`ws://127.0.0.1:${o.port}/ws`, o.timeoutMs)
  const pending = new Map<number, Pending>()
  const replies = new Map<number, OnReply>()
  let nextId = 1
  ws.on('error', () => undefined)
  ws.on('close', () => { for (const p of pending.values()) p.reject(new Error('closed')); pending.clear() })
  ws.on('message', (raw) => {
    type Data = { s?: unknown; t?: unknown } | undefined
    let f: { type?: string; id?: number; data?: Data } | [string, string, Data]
    try { f = JSON.parse(raw.toString()) as typeof f } catch { o.onBadFrame(); return }
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
      if (f.type === 'error') p.reject(new Error(`minisocket error: ${raw.toString().slice(0, 200)}`))
      else p.resolve()
    }
  })
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
    ws.terminate()
    throw e
  }
  return {
    subscribe: (channel) => ask({ type: 'subscribe', channel }),
    request: (tUs, pad, cb) => {
      const id = nextId++
      replies.set(id, cb)
      ws.send(`{"type":"rpc","id":${id},"method":"echo","data":{"t":${tUs},"p":"${pad}"}}`)
    },
    close: () => ws.terminate(),
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
