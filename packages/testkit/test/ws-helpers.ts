// Shared by the proxy tests: a real `ws` server on 127.0.0.1:0 and clients that record what they see.
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { WebSocket, WebSocketServer, type RawData } from 'ws'

export interface ServerSide {
  wss: WebSocketServer
  port: number
  /** Server-side sockets in connect order. */
  sockets: WebSocket[]
  /** Text messages received by the server, per socket index. */
  received: string[][]
  closes: { code: number; reason: string }[]
  pongs: number
  close(): Promise<void>
}

/** A ws server that records messages, pongs and close codes. `echo` sends each message back. */
export async function startServer(opts: { echo?: boolean; verifyClient?: () => boolean } = {}): Promise<ServerSide> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...(opts.verifyClient ? { verifyClient: opts.verifyClient } : {}) })
  await once(wss, 'listening')
  const side: ServerSide = {
    wss,
    port: (wss.address() as { port: number }).port,
    sockets: [],
    received: [],
    closes: [],
    pongs: 0,
    async close() {
      for (const s of side.sockets) s.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
  wss.on('connection', (ws) => {
    const index = side.sockets.push(ws) - 1
    side.received[index] = []
    ws.on('error', () => {})
    ws.on('message', (data: RawData) => {
      side.received[index]!.push(data.toString())
      if (opts.echo) ws.send(data.toString())
    })
    ws.on('pong', () => side.pongs++)
    ws.on('close', (code, reason) => side.closes.push({ code, reason: reason.toString() }))
  })
  return side
}

export interface ClientSide {
  ws: WebSocket
  messages: string[]
  pings: number
  closed: Promise<{ code: number; reason: string }>
}

/** A ws client that records text messages and WS pings; `closed` resolves with the close code. */
export function openClient(url: string): ClientSide {
  const ws = new WebSocket(url)
  const side: ClientSide = {
    ws,
    messages: [],
    pings: 0,
    closed: new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  }
  ws.on('error', () => {})
  ws.on('message', (data: RawData) => side.messages.push(data.toString()))
  ws.on('ping', () => side.pings++)
  return side
}

export async function opened(c: ClientSide): Promise<void> {
  if (c.ws.readyState === WebSocket.OPEN) return
  await within(once(c.ws, 'open'), 5000, 'open')
}

/** Polls until `cond()` holds; fails after `ms` (bounded in time and count). */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms
  for (let i = 0; i < 10_000; i++) {
    if (cond()) return
    if (Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * A raw TCP client that does the upgrade by hand and records every `data` chunk with its arrival
 * time, to see how the proxy spreads bytes over time.
 */
export async function rawUpgrade(port: number): Promise<{ socket: Socket; chunks: { at: number; bytes: number }[] }> {
  const socket = connect({ host: '127.0.0.1', port })
  await once(socket, 'connect')
  socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
  const chunks: { at: number; bytes: number }[] = []
  let head = ''
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      head += d.toString('latin1')
      if (head.includes('\r\n\r\n')) {
        socket.off('data', onData)
        if (!head.startsWith('HTTP/1.1 101')) reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`))
        else resolve()
      }
    }
    socket.on('data', onData)
    socket.once('error', reject)
  })
  socket.on('data', (d: Buffer) => chunks.push({ at: Date.now(), bytes: d.length }))
  return { socket, chunks }
}

/** Awaits `p`, failing after `ms` instead of hanging the test run. */
export async function within<T>(p: Promise<T>, ms = 5000, what = 'promise'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  try {
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}
