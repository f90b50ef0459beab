/** Server options with their defaults filled in and checked. Each default is in docs/server.md. */
import type { Clock, Limits, Logger, ServerOptions } from './api.js'
import { systemClock } from './clock.js'

export const defaultLimits: Readonly<Limits> = {
  maxMessageSize: 64 * 1024,
  messageRate: 100,
  messageBurst: 200,
  maxSubscriptions: 128,
  maxOutboundBuffer: 1024 * 1024,
  maxConnectionsPerIp: 10_000,
  maxConnectionsPerUser: 10,
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
}

export interface ResolvedOptions {
  path: string
  host: string
  port: number
  allowedOrigins: readonly string[] | undefined
  pingIntervalMs: number
  pongTimeoutMs: number
  resumeWindowMs: number
  idempotencyWindowMs: number
  rpcTimeoutMs: number
  shutdownRetryAfterMs: number
  limits: Limits
  clock: Clock
  logger: Logger
  nodeId: string
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} }

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`minisocket: option ${name} must be a positive number, got ${String(value)}`)
  }
  return value
}

export function resolveOptions(options: ServerOptions): ResolvedOptions {
  const limits: Limits = { ...defaultLimits, ...options.limits }
  for (const key of Object.keys(defaultLimits) as Array<keyof Limits>) positive(`limits.${key}`, limits[key])
  const path = options.path ?? '/ws'
  if (!path.startsWith('/')) throw new TypeError(`minisocket: option path must start with '/', got ${path}`)
  const port = options.port ?? 8080
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`minisocket: option port must be 0..65535, got ${port}`)
  return {
    path,
    host: options.host ?? '127.0.0.1',
    port,
    allowedOrigins: options.allowedOrigins,
    pingIntervalMs: positive('pingIntervalMs', options.pingIntervalMs ?? 25_000),
    pongTimeoutMs: positive('pongTimeoutMs', options.pongTimeoutMs ?? 10_000),
    resumeWindowMs: positive('resumeWindowMs', options.resumeWindowMs ?? 30_000),
    idempotencyWindowMs: positive('idempotencyWindowMs', options.idempotencyWindowMs ?? 10 * 60_000),
    rpcTimeoutMs: positive('rpcTimeoutMs', options.rpcTimeoutMs ?? 10_000),
    shutdownRetryAfterMs: options.shutdownRetryAfterMs ?? 5_000,
    limits,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silent,
    nodeId: options.nodeId ?? 'node-1',
  }
}
