/**
 * The gate in front of the WebSocket upgrade: path, Origin allowlist (cross-site WebSocket
 * hijacking → 403, research/reliability.md S1), per-IP accounting, and authentication before
 * the 101 when the token comes in the `Authorization: Bearer` header or the `token` query
 * parameter (refusal → 401, no upgrade). Mini-programs can set headers; browsers use the query
 * or the connect frame.
 */
import { type IncomingMessage, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { CloseCode } from '@minisocket/protocol'
import type { Identity } from './api.js'
import { Connection } from './connection.js'
import type { NodeContext } from './context.js'

/** Answers a refused upgrade with a plain HTTP response and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return
  const body = `${message}\n`
  socket.once('finish', () => socket.destroy())
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}

export function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth)
    if (match?.[1] !== undefined) return match[1]
  }
  return url.searchParams.get('token') ?? undefined
}

export function originAllowed(allowed: readonly string[] | undefined, origin: string | undefined): boolean {
  // No Origin header: not a browser. Origin is never an authentication factor (S1), only a CSWSH guard.
  if (allowed === undefined || origin === undefined || allowed.includes('*')) return true
  return allowed.includes(origin)
}

/** Runs `fn` but gives up after `ms` (wall-clock bound of the injected clock). */
function within<T>(ctx: NodeContext, ms: number, fn: () => Promise<T>): Promise<T | 'timeout'> {
  const { clock } = ctx.options
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => resolve('timeout'), ms)
    fn().then(
      (v) => {
        clock.clearTimeout(timer)
        resolve(v)
      },
      (err: unknown) => {
        clock.clearTimeout(timer)
        reject(err)
      },
    )
  })
}

/**
 * Socket errors are reported by the close that follows. A module-level function, not an arrow
 * created in handleUpgrade: that one would share handleUpgrade's closure context and keep the
 * upgrade request (and `head`) alive for the socket's whole life.
 */
function ignoreError(): void {}

/**
 * Handles one `upgrade` event. Returns false when the request is not for our path (another
 * upgrade listener of an attached http.Server may want it).
 */
export function handleUpgrade(ctx: NodeContext, req: IncomingMessage, socket: Duplex, head: Buffer, claimOthers: boolean): boolean {
  const { options, registry, engine } = ctx
  socket.on('error', ignoreError)
  let url: URL
  try {
    url = new URL(req.url ?? '/', 'http://localhost')
  } catch {
    rejectUpgrade(socket, 400, 'bad request url')
    return true
  }
  if (url.pathname !== options.path) {
    if (!claimOthers) return false
    rejectUpgrade(socket, 404, 'not found')
    return true
  }
  if (!ctx.accepting()) {
    rejectUpgrade(socket, 503, 'server not accepting connections')
    return true
  }
  const origin = req.headers.origin
  if (!originAllowed(options.allowedOrigins, origin)) {
    options.logger.warn('origin rejected', { origin, ip: req.socket.remoteAddress })
    rejectUpgrade(socket, 403, 'origin not allowed')
    return true
  }
  const ip = req.socket.remoteAddress ?? ''
  const deadline = options.clock.now() + options.limits.handshakeTimeoutMs
  const overIp = registry.perIp.add(ip) > options.limits.maxConnectionsPerIp
  // Until a Connection owns the count, a socket that dies (or that ws refuses) gives it back.
  let owned = false
  const release = (): void => {
    if (!owned) {
      owned = true
      registry.perIp.remove(ip)
    }
  }
  socket.once('close', release)

  const complete = (identity: Identity | undefined): void => {
    if (socket.destroyed) return release()
    engine.upgrade(req, socket, head, (transport) => {
      if (owned) {
        transport.terminate()
        return
      }
      owned = true
      socket.off('close', release)
      const conn = new Connection(ctx, transport, req, ip, identity, deadline)
      registry.all.add(conn)
      if (overIp) {
        options.logger.warn('too many connections from ip', { ip })
        conn.disconnect(CloseCode.TooManyConnections, 'too many connections from this address')
      }
    })
  }

  const token = tokenOf(req, url)
  if (token === undefined || ctx.authenticate === undefined || overIp) {
    complete(undefined)
    return true
  }
  const authenticate = ctx.authenticate
  within(ctx, options.limits.handshakeTimeoutMs, async () => authenticate({ token, request: req }))
    .then(
      (identity) => {
        if (identity === 'timeout') {
          rejectUpgrade(socket, 503, 'authentication timed out')
        } else if (identity === null || typeof identity !== 'object' || typeof identity.user !== 'string') {
          options.logger.info('upgrade unauthorized', { ip })
          rejectUpgrade(socket, 401, 'unauthorized')
        } else if (identity.expiresAt !== undefined && identity.expiresAt <= options.clock.now()) {
          rejectUpgrade(socket, 401, 'token expired')
        } else {
          complete(identity)
        }
      },
      (err: unknown) => {
        options.logger.info('upgrade unauthorized', { ip, error: (err as Error)?.message })
        rejectUpgrade(socket, 401, 'unauthorized')
      },
    )
    .catch((err: unknown) => {
      options.logger.error('upgrade failed', { ip, error: (err as Error)?.message })
      socket.destroy()
    })
  return true
}
