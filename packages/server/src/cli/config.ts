/**
 * The `minisocket serve --config file.json` format, checked strictly: every mistake (unknown
 * key, wrong type, out of range) is reported with its path, all at once, and the CLI exits 2.
 * An unknown key is an error because a typo (`"presense": true`) would otherwise be silently
 * ignored. docs/cli.md documents each field.
 */
import { readFileSync } from 'node:fs'
import type { ChannelRules, Limits, NamespaceRule, ServerOptions } from '../api.js'
import type { JwtAlgorithm } from '../jwt.js'
import { asymmetricAlgorithms, hmacAlgorithms } from '../jwt.js'
import type { LogLevel } from '../log.js'

export interface JwtConfig {
  secret?: string
  jwksUrl?: string
  algorithms?: JwtAlgorithm[]
  issuer?: string
  audience?: string
  userClaim?: string
  infoClaim?: string
  allowAnonymous?: boolean
}

/** The server options a JSON file can express (no functions, no RegExp). */
export type FileServerOptions = Pick<ServerOptions,
  'port' | 'host' | 'path' | 'apiKey' | 'allowedOrigins' | 'namespaces' | 'pingIntervalMs' | 'pongTimeoutMs' |
  'resumeWindowMs' | 'idempotencyWindowMs' | 'rpcTimeoutMs' | 'shutdownRetryAfterMs' | 'limits' | 'nodeId'>

export interface CliConfig {
  server: FileServerOptions
  jwt?: JwtConfig
  logLevel?: LogLevel
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

// Record<keyof Limits, true>: the compiler makes this list follow the Limits interface.
const limitKeys: Record<keyof Limits, true> = {
  maxMessageSize: true, messageRate: true, messageBurst: true, maxSubscriptions: true, maxOutboundBuffer: true,
  maxConnectionsPerIp: true, maxConnectionsPerUser: true, handshakeTimeoutMs: true, headersTimeoutMs: true,
}
const durationKeys = ['pingIntervalMs', 'pongTimeoutMs', 'resumeWindowMs', 'idempotencyWindowMs', 'rpcTimeoutMs', 'shutdownRetryAfterMs'] as const
const topKeys = new Set(['$comment', 'port', 'host', 'path', 'apiKey', 'allowedOrigins', 'namespaces', 'limits', 'jwt', 'nodeId', 'logLevel', ...durationKeys])
const namespaceKeys = new Set(['match', 'historySize', 'historyTtlMs', 'presence', 'subscribe', 'publish', 'read'])
const jwtKeys = new Set(['secret', 'jwksUrl', 'algorithms', 'issuer', 'audience', 'userClaim', 'infoClaim', 'allowAnonymous'])
const accessValues = { subscribe: ['all', 'authenticated', 'none'], publish: ['all', 'authenticated', 'subscribers', 'none'], read: ['all', 'authenticated', 'subscribers', 'none'] }
const logLevels = ['debug', 'info', 'warn', 'error', 'silent']

/** Reads and checks a config file; throws ConfigError naming the file and every problem. */
export function loadConfigFile(file: string): CliConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`)
  }
  return checkConfig(value, file)
}

/** Checks a parsed config value. `source` names it in messages. */
export function checkConfig(value: unknown, source = 'config'): CliConfig {
  const problems: string[] = []
  const fail = (path: string, message: string) => problems.push(`${path} ${message}`)
  if (!isObject(value)) throw new ConfigError(`${source}: must be a JSON object`)

  for (const key of Object.keys(value)) if (!topKeys.has(key)) fail(key, 'is not a known option')
  const server: FileServerOptions = {}
  const port = value.port
  if (port !== undefined) {
    if (isInt(port) && port >= 0 && port <= 65535) server.port = port
    else fail('port', 'must be an integer in 0..65535')
  }
  for (const key of ['host', 'nodeId', 'apiKey'] as const) {
    const v = value[key]
    if (v === undefined) continue
    if (typeof v === 'string' && v !== '') server[key] = v
    else fail(key, 'must be a non-empty string')
  }
  if (value.path !== undefined) {
    if (typeof value.path === 'string' && value.path.startsWith('/')) server.path = value.path
    else fail('path', "must be a string starting with '/'")
  }
  for (const key of durationKeys) {
    const v = value[key]
    if (v === undefined) continue
    if (isInt(v) && v > 0) server[key] = v
    else fail(key, 'must be a positive integer (milliseconds)')
  }
  if (value.allowedOrigins !== undefined) {
    const v = value.allowedOrigins
    if (Array.isArray(v) && v.every((o) => typeof o === 'string' && o !== '')) server.allowedOrigins = v as string[]
    else fail('allowedOrigins', 'must be an array of origins like "https://app.example.com" (or "*")')
  }
  if (value.limits !== undefined) server.limits = checkLimits(value.limits, fail)
  if (value.namespaces !== undefined) server.namespaces = checkNamespaces(value.namespaces, fail)
  const config: CliConfig = { server }
  if (value.jwt !== undefined) config.jwt = checkJwt(value.jwt, fail)
  if (value.logLevel !== undefined) {
    if (typeof value.logLevel === 'string' && logLevels.includes(value.logLevel)) config.logLevel = value.logLevel as LogLevel
    else fail('logLevel', `must be one of ${logLevels.join(', ')}`)
  }
  if (problems.length > 0) throw new ConfigError(`${source}: invalid configuration\n  - ${problems.join('\n  - ')}`)
  return config
}

type Fail = (path: string, message: string) => void

function checkLimits(v: unknown, fail: Fail): Partial<Limits> {
  const out: Partial<Limits> = {}
  if (!isObject(v)) {
    fail('limits', 'must be an object')
    return out
  }
  for (const [key, n] of Object.entries(v)) {
    if (!Object.prototype.hasOwnProperty.call(limitKeys, key)) fail(`limits.${key}`, `is not a known limit (known: ${Object.keys(limitKeys).join(', ')})`)
    else if (typeof n === 'number' && Number.isFinite(n) && n > 0) out[key as keyof Limits] = n
    else fail(`limits.${key}`, 'must be a positive number')
  }
  return out
}

function checkNamespaces(v: unknown, fail: Fail): NamespaceRule[] {
  if (!Array.isArray(v)) {
    fail('namespaces', 'must be an array of { "match": "chat:*", ... }')
    return []
  }
  return v.map((ns: unknown, i) => {
    const at = `namespaces[${i}]`
    if (!isObject(ns)) {
      fail(at, 'must be an object')
      return { match: '' }
    }
    for (const key of Object.keys(ns)) if (!namespaceKeys.has(key)) fail(`${at}.${key}`, 'is not a known namespace option')
    const rule: NamespaceRule = { match: '' }
    if (typeof ns.match === 'string' && ns.match !== '') rule.match = ns.match
    else fail(`${at}.match`, 'must be a channel name or a "prefix:*" pattern')
    if (ns.historySize !== undefined) {
      if (isInt(ns.historySize) && ns.historySize >= 0) rule.historySize = ns.historySize
      else fail(`${at}.historySize`, 'must be an integer >= 0')
    }
    if (ns.historyTtlMs !== undefined) {
      if (isInt(ns.historyTtlMs) && ns.historyTtlMs > 0) rule.historyTtlMs = ns.historyTtlMs
      else fail(`${at}.historyTtlMs`, 'must be a positive integer (milliseconds)')
    }
    if (ns.presence !== undefined) {
      if (typeof ns.presence === 'boolean') rule.presence = ns.presence
      else fail(`${at}.presence`, 'must be true or false')
    }
    for (const key of ['subscribe', 'publish', 'read'] as const) {
      const a = ns[key]
      if (a === undefined) continue
      if (typeof a === 'string' && accessValues[key].includes(a)) (rule as Record<keyof ChannelRules, unknown>)[key] = a
      else fail(`${at}.${key}`, `must be one of ${accessValues[key].join(', ')}`)
    }
    return rule
  })
}

function checkJwt(v: unknown, fail: Fail): JwtConfig {
  const out: JwtConfig = {}
  if (!isObject(v)) {
    fail('jwt', 'must be an object')
    return out
  }
  for (const key of Object.keys(v)) if (!jwtKeys.has(key)) fail(`jwt.${key}`, 'is not a known jwt option')
  for (const key of ['secret', 'jwksUrl', 'issuer', 'audience', 'userClaim', 'infoClaim'] as const) {
    const s = v[key]
    if (s === undefined) continue
    if (typeof s === 'string' && s !== '') out[key] = s
    else fail(`jwt.${key}`, 'must be a non-empty string')
  }
  if (out.secret !== undefined && new TextEncoder().encode(out.secret).length < 32) fail('jwt.secret', 'must be at least 32 bytes (256 bits)')
  if (out.jwksUrl !== undefined && !/^https?:\/\//.test(out.jwksUrl)) fail('jwt.jwksUrl', 'must be an http(s) URL')
  if (v.algorithms !== undefined) {
    const known: readonly string[] = [...hmacAlgorithms, ...asymmetricAlgorithms]
    const algs = v.algorithms
    if (Array.isArray(algs) && algs.length > 0 && algs.every((a) => typeof a === 'string' && known.includes(a))) out.algorithms = algs as JwtAlgorithm[]
    else fail('jwt.algorithms', `must be a non-empty array of ${known.join(', ')}`)
  }
  if (v.allowAnonymous !== undefined) {
    if (typeof v.allowAnonymous === 'boolean') out.allowAnonymous = v.allowAnonymous
    else fail('jwt.allowAnonymous', 'must be true or false')
  }
  return out
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v)
}
