/**
 * Test helpers: a real `ws` server on 127.0.0.1, port 0, and bounded waiting for real-socket events.
 */
import type { IncomingMessage } from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'

export interface Received {
  data: string | Buffer
  isBinary: boolean
}

export interface TestServer {
  url: string
  port: number
  received: Received[]
  requests: IncomingMessage[]
  sockets: WebSocket[]
  /** Close frames the server got: code and reason. */
  closes: Array<{ code: number; reason: string }>
  stop(): Promise<void>
}

export interface ServerOptions {
  /** Echo every message back (default true). */
  echo?: boolean
  onConnection?: (ws: WebSocket, req: IncomingMessage) => void
  handleProtocols?: (protocols: Set<string>) => string | false
  /** Answer the handshake with this HTTP status instead of 101. */
  rejectStatus?: number
  /** Extra response headers on the 101. */
  responseHeaders?: Record<string, string>
}

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    ...(options.handleProtocols ? { handleProtocols: options.handleProtocols } : {}),
    ...(options.rejectStatus !== undefined ? { verifyClient: (_info: unknown, cb: (ok: boolean, code?: number) => void) => cb(false, options.rejectStatus) } : {}),
  })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const port = (wss.address() as { port: number }).port
  const server: TestServer = {
    url: `ws://127.0.0.1:${port}`,
    port,
    received: [],
    requests: [],
    sockets: [],
    closes: [],
    stop: () => new Promise<void>((resolve) => {
      for (const s of wss.clients) s.terminate()
      wss.close(() => resolve())
    }),
  }
  if (options.responseHeaders) {
    wss.on('headers', (headers) => {
      for (const [k, v] of Object.entries(options.responseHeaders ?? {})) headers.push(`${k}: ${v}`)
    })
  }
  wss.on('connection', (ws, req) => {
    server.requests.push(req)
    server.sockets.push(ws)
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)
      server.received.push({ data: isBinary ? buf : buf.toString('utf8'), isBinary })
      if (options.echo !== false) ws.send(buf, { binary: isBinary })
    })
    ws.on('close', (code, reason) => server.closes.push({ code, reason: reason.toString('utf8') }))
    options.onConnection?.(ws, req)
  })
  return server
}

/** Waits (bounded) until `cond()` holds; real sockets need real time. */
export async function until(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Lets every queued microtask (deferred callbacks) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r))
}
