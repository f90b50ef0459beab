/**
 * A structured logger that writes one JSON object per line, with a redaction guard: logs must
 * never contain tokens, keys or message bodies (research/reliability.md S2, S17 — OWASP: "log
 * events but not tokens or contents"). The guard is a backstop; callers should not pass secrets.
 *
 * @example
 * const logger = createJsonLogger({ level: 'info', nodeId: 'n1' })
 * logger.info('client connected', { user: 'alice', token: 'eyJ...' })
 * // {"time":"2026-01-01T00:00:00.000Z","level":"info","node":"n1","msg":"client connected","user":"alice","token":"[redacted]"}
 */
import type { Logger } from './api.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export interface JsonLoggerOptions {
  /** Lowest level written. Default 'info'. */
  level?: LogLevel
  /** Where lines go. Default process.stderr (stdout stays free for machine output). */
  stream?: { write(line: string): unknown }
  /** Written as `node` on every line. */
  nodeId?: string
  /** Time source for the `time` field. */
  clock?: { now(): number }
}

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export const REDACTED = '[redacted]'

/**
 * Field names whose values are never logged, compared lower-cased without `-` and `_`.
 * Exact names: message bodies and credentials. Substrings: anything that looks like a secret
 * (`accessToken`, `x-api-key`, `jwtSecret`, `db_password`).
 */
const redactExact = new Set(['data', 'body', 'payload', 'cookie', 'setcookie', 'authorization', 'ticket'])
const redactSubstrings = ['token', 'secret', 'password', 'apikey', 'authorization', 'credential']

/** True when a field of this name must be redacted. */
export function isSensitiveField(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_]/g, '')
  if (redactExact.has(n)) return true
  return redactSubstrings.some((s) => n.includes(s))
}

const reserved = new Set(['time', 'level', 'node', 'msg'])
const maxDepth = 6
const maxStringLength = 2048

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = levelRank[options.level ?? 'info']
  const stream = options.stream ?? process.stderr
  const clock = options.clock ?? Date

  const write = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void => {
    if (levelRank[level] < threshold) return
    const line: Record<string, unknown> = { time: new Date(clock.now()).toISOString(), level }
    if (options.nodeId !== undefined) line.node = options.nodeId
    line.msg = String(msg)
    if (fields !== undefined && fields !== null && typeof fields === 'object') {
      for (const [key, value] of Object.entries(fields)) {
        const clean = sanitize(key, value, 0, new WeakSet())
        // A field may not overwrite the envelope: `{ level: 'x' }` becomes `field.level`.
        if (!reserved.has(key) || !(key in line)) line[key] = clean
        else if (line[key] !== clean) line[`field.${key}`] = clean
      }
    }
    try {
      stream.write(JSON.stringify(line) + '\n')
    } catch {
      // Logging must never take the server down (a closed pipe, EPIPE on stderr).
    }
  }

  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  }
}

/** Makes a value safe to log: redacts sensitive names at every depth, bounds size, survives cycles. */
function sanitize(key: string, value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (isSensitiveField(key)) return REDACTED
  if (value === null || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return clip(key === 'url' || key === 'path' ? stripQuery(value) : value)
  if (typeof value !== 'object') return typeof value === 'undefined' ? undefined : `[${typeof value}]`
  if (seen.has(value)) return '[circular]'
  if (depth >= maxDepth) return '[too deep]'
  seen.add(value)
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: clip(value.message) }
    const code = (value as { code?: unknown }).code
    if (typeof code === 'string' || typeof code === 'number') out.code = code
    return out
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => sanitize('', v, depth + 1, seen))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = sanitize(k, v, depth + 1, seen)
  return out
}

/** Query strings carry browser connect tokens (`?token=`): never log them (reliability.md S2). */
function stripQuery(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : `${url.slice(0, q)}?${REDACTED}`
}

function clip(s: string): string {
  return s.length > maxStringLength ? `${s.slice(0, maxStringLength)}…` : s
}
