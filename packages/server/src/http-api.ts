/**
 * The HTTP API of a node: publish (G4 idempotent), history, presence, health, metrics.
 * docs/http-api.md documents every route, status and error body; keep the two in step.
 *
 * `createHttpApi` returns a request handler that answers its own paths and returns `false` for
 * any other path, so the caller (the server core) can answer 404 or serve something else.
 *
 * @example
 * const api = createHttpApi(server, { apiKey: process.env.MINISOCKET_API_KEY })
 * http.on('request', (req, res) => { if (!api(req, res)) { res.statusCode = 404; res.end() } })
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { defaultCodecLimits, errorCodeInfo, ErrorCode, NAME_PATTERN } from '@minisocket/protocol'
import type { Json, StreamPosition } from '@minisocket/protocol'
import type { Clock, Logger, MiniServer } from './api.js'
import { systemClock } from './clock.js'
import { PROMETHEUS_CONTENT_TYPE } from './metrics.js'

export interface HttpApiOptions {
  /** Required for /api/*: without it those routes answer 403 (disabled). */
  apiKey?: string
  /** Largest publish body; a bigger one gets 413 before it is read. Default 64 KiB. */
  maxBodyBytes?: number
  /** Window in which a repeated Idempotency-Key with another body is refused (422). Default 10 min. */
  idempotencyWindowMs?: number
  /** /metrics: 'open' (default, like /health), 'key' (needs the API key) or 'off' (not served). */
  metrics?: 'open' | 'key' | 'off'
  clock?: Clock
  logger?: Logger
}

export type HttpApiHandler = (req: IncomingMessage, res: ServerResponse) => boolean

/** A failure with its HTTP status and stable error code; becomes `{ error: { code, name, message } }`. */
export class HttpApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

type Route = 'publish' | 'history' | 'presence' | 'health' | 'metrics'
const routes: Record<string, { route: Route; methods: readonly string[] }> = {
  '/api/publish': { route: 'publish', methods: ['POST'] },
  '/api/history': { route: 'history', methods: ['GET', 'HEAD'] },
  '/api/presence': { route: 'presence', methods: ['GET', 'HEAD'] },
  '/health': { route: 'health', methods: ['GET', 'HEAD'] },
  '/metrics': { route: 'metrics', methods: ['GET', 'HEAD'] },
}

/** HTTP status for each error code the server core may throw (anything else → 500). */
const statusOfCode: Record<number, number> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.UnknownChannel]: 404,
  [ErrorCode.PermissionDenied]: 403,
  [ErrorCode.LimitExceeded]: 429,
  [ErrorCode.Timeout]: 504,
  [ErrorCode.Internal]: 500,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.NotAvailable]: 404,
}

const DEFAULT_MAX_BODY = 64 * 1024
const DEFAULT_WINDOW_MS = 10 * 60_000
const MAX_REMEMBERED_KEYS = 100_000
/** After a 413 the rest of the body is drained; a client that keeps sending is cut off after this. */
const DRAIN_GRACE_MS = 1000
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/

export function createHttpApi(server: MiniServer, options: HttpApiOptions = {}): HttpApiHandler {
  const clock = options.clock ?? systemClock
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY
  const window = options.idempotencyWindowMs ?? DEFAULT_WINDOW_MS
  const keyDigest = options.apiKey === undefined || options.apiKey === '' ? undefined : sha256(options.apiKey)
  const metricsAccess = options.metrics ?? 'open'
  const startedAt = clock.now()
  // Idempotency-Key → fingerprint of the request it first came with (node-local; the broker does the dedupe).
  const fingerprints = new Map<string, { fingerprint: string; expiresAt: number }>()

  const authorize = (req: IncomingMessage): void => {
    if (keyDigest === undefined) throw new HttpApiError(403, ErrorCode.NotAvailable, 'HTTP API disabled: the server has no API key configured')
    const given = presentedKey(req)
    // Compare digests so the comparison takes the same time whatever the key's length (S15).
    if (given === undefined || !timingSafeEqual(sha256(given), keyDigest)) {
      options.logger?.warn('http api: bad or missing API key', { ip: req.socket.remoteAddress, path: pathOf(req) })
      throw new HttpApiError(401, ErrorCode.PermissionDenied, 'missing or wrong API key', { 'WWW-Authenticate': 'Bearer realm="minisocket"' })
    }
  }

  const publish = async (req: IncomingMessage): Promise<Reply> => {
    authorize(req)
    const idempotencyKey = req.headers['idempotency-key']
    if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(idempotencyKey)))
      throw new HttpApiError(400, ErrorCode.BadRequest, 'Idempotency-Key must be 1-255 visible ASCII characters')
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/json') throw new HttpApiError(415, ErrorCode.BadRequest, 'Content-Type must be application/json')
    const body = parseJson(await readBody(req, maxBody, clock))
    const channel = body.channel
    if (!validName(channel)) throw new HttpApiError(400, ErrorCode.BadRequest, 'channel must be a channel name (printable ASCII, at most 255 characters)')
    if (!Object.prototype.hasOwnProperty.call(body, 'data')) throw new HttpApiError(400, ErrorCode.BadRequest, 'data is required')
    const data = body.data as Json
    if (idempotencyKey === undefined) return { status: 200, body: { channel, ...positionOf(await server.publish(channel, data)) } }

    const fingerprint = sha256(JSON.stringify([channel, data])).toString('hex')
    const now = clock.now()
    const seen = fingerprints.get(idempotencyKey)
    if (seen !== undefined && seen.expiresAt > now && seen.fingerprint !== fingerprint)
      throw new HttpApiError(422, ErrorCode.BadRequest, 'Idempotency-Key was already used with a different request')
    const entry = { fingerprint, expiresAt: now + window }
    remember(fingerprints, idempotencyKey, entry, now)
    let result: { epoch?: string; offset?: number; duplicate: boolean }
    try {
      // MiniServer.publish namespaces the key, so it never collides with a client message id (G5).
      result = await server.publish(channel, data, { idempotencyKey })
    } catch (err) {
      // Nothing was published: a retry with this key (and any body) must be free to try again.
      if (fingerprints.get(idempotencyKey) === entry) fingerprints.delete(idempotencyKey)
      throw err
    }
    return { status: 200, body: { channel, ...positionOf(result) }, headers: result.duplicate ? { 'Idempotent-Replayed': 'true' } : {} }
  }

  const history = async (req: IncomingMessage, query: URLSearchParams): Promise<Reply> => {
    authorize(req)
    const channel = channelParam(query)
    const limit = intParam(query, 'limit', 1, defaultCodecLimits.maxHistoryLimit)
    const epoch = singleParam(query, 'epoch')
    const offset = intParam(query, 'offset', 0, Number.MAX_SAFE_INTEGER)
    if ((epoch === undefined) !== (offset === undefined)) throw new HttpApiError(400, ErrorCode.BadRequest, 'epoch and offset go together')
    if (epoch !== undefined && (epoch === '' || epoch.length > 64)) throw new HttpApiError(400, ErrorCode.BadRequest, 'epoch must be 1-64 characters')
    const q: { since?: StreamPosition; limit?: number } = {}
    if (epoch !== undefined && offset !== undefined) q.since = { epoch, offset }
    if (limit !== undefined) q.limit = limit
    const read = await server.history(channel, q)
    return { status: 200, body: { channel, epoch: read.epoch, offset: read.offset, publications: read.publications } }
  }

  const presence = async (req: IncomingMessage, query: URLSearchParams): Promise<Reply> => {
    authorize(req)
    const channel = channelParam(query)
    return { status: 200, body: { channel, members: await server.presence(channel) } }
  }

  const health = (): Reply => {
    const s = server.stats()
    const uptimeSeconds = Math.max(0, Math.round((clock.now() - startedAt) / 1000))
    return { status: 200, body: { status: 'ok', connections: s.connections, channels: s.channels, subscriptions: s.subscriptions, uptimeSeconds } }
  }

  const metrics = (req: IncomingMessage): Reply => {
    if (metricsAccess === 'key') authorize(req)
    return { status: 200, text: server.metrics(), contentType: PROMETHEUS_CONTENT_TYPE }
  }

  return (req, res) => {
    const url = parseUrl(req.url)
    const entry = url === undefined ? undefined : routes[url.pathname]
    if (url === undefined || entry === undefined) return false
    if (entry.route === 'metrics' && metricsAccess === 'off') return false
    const method = req.method ?? ''
    const run = async (): Promise<Reply> => {
      if (!entry.methods.includes(method))
        throw new HttpApiError(405, ErrorCode.BadRequest, `method ${method} not allowed`, { Allow: entry.methods.join(', ') })
      switch (entry.route) {
        case 'publish': return publish(req)
        case 'history': return history(req, url.searchParams)
        case 'presence': return presence(req, url.searchParams)
        case 'health': return health()
        case 'metrics': return metrics(req)
      }
    }
    run().then(
      (reply) => send(res, reply),
      (err: unknown) => send(res, errorReply(err, req, options.logger)),
    ).catch(() => res.destroy())
    return true
  }
}

interface Reply {
  status: number
  body?: unknown
  text?: string
  contentType?: string
  headers?: Record<string, string>
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return
  const text = reply.text ?? JSON.stringify(reply.body)
  res.statusCode = reply.status
  res.setHeader('Content-Type', reply.contentType ?? 'application/json; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value)
  res.end(text)
}

function errorReply(err: unknown, req: IncomingMessage, logger: Logger | undefined): Reply {
  let e: HttpApiError
  if (err instanceof HttpApiError) e = err
  else {
    const code = (err as { code?: unknown } | null)?.code
    const status = typeof code === 'number' ? statusOfCode[code] : undefined
    if (status !== undefined && status < 500) e = new HttpApiError(status, code as number, (err as Error).message)
    else {
      // Unexpected failures are logged, and the client gets no internals.
      logger?.error('http api: request failed', { path: pathOf(req), err })
      e = new HttpApiError(status ?? 500, typeof code === 'number' && status !== undefined ? code : ErrorCode.Internal, 'internal error')
    }
  }
  const headers = e.status === 503 ? { 'Retry-After': '1', ...e.headers } : e.headers
  return { status: e.status, body: { error: { code: e.code, name: errorCodeInfo(e.code).name, message: e.message } }, headers }
}

function positionOf(result: { epoch?: string; offset?: number }): { epoch?: string; offset?: number } {
  return result.epoch === undefined ? {} : { epoch: result.epoch, offset: result.offset ?? 0 }
}

/** Reads the body up to `max` bytes; past that answers 413 without reading the rest. */
function readBody(req: IncomingMessage, max: number, clock: Clock): Promise<string> {
  const tooLarge = () => {
    // Leftover body bytes would poison a kept-alive connection: close it, and cut off a client
    // that keeps sending after the reply (node drains the rest in the meantime).
    const timer = clock.setTimeout(() => req.socket.destroy(), DRAIN_GRACE_MS)
    req.socket.once('close', () => clock.clearTimeout(timer))
    return new HttpApiError(413, ErrorCode.LimitExceeded, `body larger than ${max} bytes`, { Connection: 'close' })
  }
  const declared = Number(req.headers['content-length'])
  if (declared > max) return Promise.reject(tooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > max) {
        req.off('data', onData)
        reject(tooLarge())
      } else chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => {
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)))
      } catch {
        reject(new HttpApiError(400, ErrorCode.BadRequest, 'body is not valid UTF-8'))
      }
    })
    req.once('error', reject)
    // A client that hangs up mid-body: settle (nothing will be sent) instead of waiting forever.
    req.once('close', () => {
      if (!req.complete) reject(new HttpApiError(400, ErrorCode.BadRequest, 'request aborted'))
    })
  })
}

/** Parses a JSON object body, with the codec's depth limit and its ban on `__proto__` keys. */
function parseJson(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new HttpApiError(400, ErrorCode.BadRequest, 'body is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpApiError(400, ErrorCode.BadRequest, 'body must be a JSON object')
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 1 }]
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    // +1: `data` sits one level below the body, as it does below the frame in the codec.
    if (depth > defaultCodecLimits.maxDepth + 1) throw new HttpApiError(400, ErrorCode.BadRequest, `body nested deeper than ${defaultCodecLimits.maxDepth}`)
    for (const key of Object.keys(v)) {
      if (key === '__proto__') throw new HttpApiError(400, ErrorCode.BadRequest, 'key "__proto__" is not allowed')
      stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1 })
    }
  }
  return value as Record<string, unknown>
}

function presentedKey(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key']
  if (typeof header === 'string' && header !== '') return header
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
  return m?.[1]
}

function singleParam(query: URLSearchParams, name: string): string | undefined {
  const all = query.getAll(name)
  if (all.length > 1) throw new HttpApiError(400, ErrorCode.BadRequest, `${name} given more than once`)
  return all[0]
}

function channelParam(query: URLSearchParams): string {
  const channel = singleParam(query, 'channel')
  if (!validName(channel)) throw new HttpApiError(400, ErrorCode.BadRequest, 'channel query parameter must be a channel name')
  return channel
}

function intParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = singleParam(query, name)
  if (raw === undefined) return undefined
  const n = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN
  if (!(Number.isSafeInteger(n) && n >= min && n <= max)) throw new HttpApiError(400, ErrorCode.BadRequest, `${name} must be an integer in ${min}..${max}`)
  return n
}

function validName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= defaultCodecLimits.maxChannelLength && NAME_PATTERN.test(v)
}

function remember(map: Map<string, { fingerprint: string; expiresAt: number }>, key: string, value: { fingerprint: string; expiresAt: number }, now: number): void {
  // Insertion order ≈ expiry order: drop expired entries from the front, and the oldest past the cap.
  for (const [k, v] of map) {
    if (v.expiresAt > now && map.size < MAX_REMEMBERED_KEYS) break
    map.delete(k)
  }
  map.delete(key)
  map.set(key, value)
}

function parseUrl(raw: string | undefined): URL | undefined {
  try {
    return new URL(raw ?? '/', 'http://localhost')
  } catch {
    return undefined
  }
}

function pathOf(req: IncomingMessage): string {
  return parseUrl(req.url)?.pathname ?? ''
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest()
}
