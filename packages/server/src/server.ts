/**
 * createServer(): one minisocket node — standalone (its own http.Server) or attached to yours.
 * The node's own state machine: created → listening → closing → closed (one setState funnel).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { CloseCode, defaultCodecLimits, ErrorCode, type Json, type PresenceMember, type Publication, type StreamPosition } from '@minisocket/protocol'
import type { MiniServer, ServerOptions, ServerStats } from './api.js'
import { ChannelRegistry, historyOptions } from './channels.js'
import type { Connection } from './connection.js'
import type { NodeContext } from './context.js'
import { MemoryBroker } from './engine/memory-broker.js'
import { MemoryPresence } from './engine/memory-presence.js'
import type { PublishOptions, PublishResult } from './engine/types.js'
import { RequestError, unavailable } from './errors.js'
import { subscribeChannel } from './handlers.js'
import { HeartbeatSweep } from './heartbeat.js'
import { Hub } from './hub.js'
import { createHttpApi, type HttpApiHandler, type HttpApiOptions } from './http-api.js'
import { renderMetrics } from './metrics.js'
import { resolveOptions } from './options.js'
import { PresenceTracker } from './presence.js'
import { ConnectionRegistry } from './registry.js'
import { SessionRegistry } from './sessions.js'
import { StatsCollector } from './stats.js'
import { WsEngine } from './transport/ws-engine.js'
import { handleUpgrade } from './upgrade.js'

type ServerState = 'created' | 'starting' | 'listening' | 'closing' | 'closed'
const NEXT: Record<ServerState, readonly ServerState[]> = {
  created: ['starting', 'closing'],
  starting: ['listening', 'closing'],
  listening: ['closing'],
  closing: ['closed'],
  closed: [],
}

/** Keys of the HTTP API (G4) and of client mids (G5) live in separate spaces of the broker's store. */
const API_KEY_PREFIX = 'api:'

function isJson(data: unknown): boolean {
  try {
    return typeof JSON.stringify(data) === 'string'
  } catch {
    // BigInt, cycles, a throwing toJSON.
    return false
  }
}

/**
 * Creates a minisocket server node.
 *
 * @example
 * const server = createServer({ port: 8080, namespaces: [{ match: 'chat:*', presence: true }] })
 * await server.listen()
 */
export function createServer(options: ServerOptions = {}): MiniServer {
  const resolved = resolveOptions(options)
  const { clock, logger, limits } = resolved
  const standalone = options.server === undefined
  const http: HttpServer =
    options.server ??
    createHttpServer({
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.headersTimeoutMs, 10_000),
      // How often Node checks the two timeouts above; the default 30 s would let a slowloris linger.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    })
  const broker = options.broker ?? new MemoryBroker({ clock })
  const presenceStore = options.presence ?? new MemoryPresence(clock)
  const engine = new WsEngine(limits.maxMessageSize)
  const stats = new StatsCollector()
  const registry = new ConnectionRegistry<Connection>()
  const heartbeat = resolved.pingIntervalMs + resolved.pongTimeoutMs
  const presence = new PresenceTracker(presenceStore, broker, { onlineTtlMs: 2 * heartbeat, awayTtlMs: resolved.resumeWindowMs + heartbeat }, logger)
  const sessions = new SessionRegistry(presence, clock, resolved.resumeWindowMs, logger)
  const channels = new ChannelRegistry(options.namespaces)
  let state: ServerState = 'created'
  let httpApi: HttpApiHandler = () => false
  let closing: Promise<void> | undefined

  const setState = (next: ServerState): void => {
    if (!NEXT[state].includes(next)) throw new Error(`minisocket: cannot go from ${state} to ${next}`)
    state = next
  }

  const hub = new Hub(broker, engine, stats, logger, () => {
    // The broker may have lost messages: every client must recover by offset (G3), so ask
    // the ones with subscriptions to reconnect; their resubscribe carries `since`.
    for (const conn of registry.all) if (conn.subscriptionCount > 0) conn.disconnect(CloseCode.Unavailable, 'resync: resubscribe to recover', 0)
  })

  const ctx: NodeContext = {
    options: resolved,
    engine,
    hub,
    broker,
    presenceStore,
    presence,
    sessions,
    channels,
    stats,
    registry,
    heartbeats: new HeartbeatSweep(clock, resolved.pingIntervalMs, resolved.pongTimeoutMs),
    codecLimits: { ...defaultCodecLimits, maxFrameLength: limits.maxMessageSize },
    authenticate: options.authenticate,
    rpc: options.rpc ?? {},
    accepting: () => state === 'listening',
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    try {
      // Attached to someone else's server with other upgrade listeners: leave their paths alone.
      handleUpgrade(ctx, req, socket, head, standalone || http.listenerCount('upgrade') <= 1)
    } catch (err) {
      logger.error('upgrade handler failed', { error: (err as Error)?.message })
      socket.destroy()
    }
  }
  http.on('upgrade', onUpgrade)

  const handleRequest = (req: IncomingMessage, res: ServerResponse): boolean => {
    try {
      return httpApi(req, res)
    } catch (err) {
      logger.error('http api failed', { error: (err as Error)?.message })
      if (!res.headersSent) res.writeHead(500).end()
      return true
    }
  }
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (!handleRequest(req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
  }
  if (standalone) http.on('request', onRequest)

  function ruleOrThrow(channel: string) {
    const rule = channels.resolve(channel)
    if (rule === undefined) throw new RequestError(ErrorCode.UnknownChannel, `no namespace for channel ${channel}`)
    return rule
  }

  const server: MiniServer = {
    get port(): number {
      const address = http.address()
      return address !== null && typeof address === 'object' ? (address as AddressInfo).port : 0
    },
    http,

    async listen(): Promise<void> {
      setState('starting')
      await broker.start(hub)
      if (standalone) {
        await new Promise<void>((resolve, reject) => {
          http.once('error', reject)
          http.listen(resolved.port, resolved.host, () => {
            http.off('error', reject)
            resolve()
          })
        })
      }
      setState('listening')
      logger.info('listening', { node: resolved.nodeId, port: server.port, path: resolved.path })
    },

    async publish(channel: string, data: Json, opts: { idempotencyKey?: string } = {}): Promise<PublishResult> {
      const rule = ruleOrThrow(channel)
      // Application data must be JSON: fail here, not inside the broker's fan-out.
      if (!isJson(data)) throw new RequestError(ErrorCode.BadRequest, 'data must be JSON')
      const publishOptions: PublishOptions = {}
      const history = historyOptions(rule)
      if (history !== undefined) publishOptions.history = history
      if (opts.idempotencyKey !== undefined) {
        publishOptions.idempotencyKey = API_KEY_PREFIX + opts.idempotencyKey
        publishOptions.idempotencyTtlMs = resolved.idempotencyWindowMs
      }
      let result: PublishResult
      try {
        result = await broker.publish(channel, data, undefined, publishOptions)
      } catch (err) {
        throw unavailable(err)
      }
      if (!result.duplicate) stats.publications++
      return result
    },

    async history(channel: string, query: { since?: StreamPosition; limit?: number } = {}): Promise<{ epoch: string; offset: number; publications: Publication[] }> {
      const history = historyOptions(ruleOrThrow(channel))
      if (history === undefined) throw new RequestError(ErrorCode.NotAvailable, `history is off for ${channel}`)
      try {
        const read = await broker.history(channel, query, history)
        return { epoch: read.epoch, offset: read.offset, publications: read.publications }
      } catch (err) {
        throw unavailable(err)
      }
    },

    async presence(channel: string): Promise<PresenceMember[]> {
      if (!ruleOrThrow(channel).presence) throw new RequestError(ErrorCode.NotAvailable, `presence is off for ${channel}`)
      try {
        return await presenceStore.list(channel)
      } catch (err) {
        throw unavailable(err)
      }
    },

    async subscribeUser(user: string, channel: string): Promise<void> {
      const rule = ruleOrThrow(channel)
      await Promise.all(
        registry.ofUser(user).map((conn) =>
          conn.enqueue(async () => {
            if (conn.state === 'open' && !conn.isSubscribed(channel)) await subscribeChannel(conn, channel, rule, 0, undefined)
          }),
        ),
      )
    },

    disconnectUser(user: string, reason = 'disconnected by the application'): void {
      for (const conn of registry.ofUser(user)) conn.disconnect(CloseCode.Kicked, reason)
    },

    stats(): ServerStats {
      return stats.snapshot({ connections: registry.all.size, channels: hub.channelCount, subscriptions: hub.subscriptionCount })
    },

    metrics(): string {
      return renderMetrics(server, server.stats(), { nodeId: resolved.nodeId })
    },

    handleRequest,

    close(closeOptions: { drainMs?: number } = {}): Promise<void> {
      closing ??= shutdown(closeOptions.drainMs ?? 5_000)
      return closing
    },
  }

  const apiOptions: HttpApiOptions = { idempotencyWindowMs: resolved.idempotencyWindowMs, clock, logger }
  if (options.apiKey !== undefined) apiOptions.apiKey = options.apiKey
  httpApi = createHttpApi(server, apiOptions)

  async function drained(ms: number): Promise<void> {
    const deadline = Date.now() + ms
    while (registry.all.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  }

  async function shutdown(drainMs: number): Promise<void> {
    setState('closing')
    http.off('upgrade', onUpgrade)
    // Stops accepting at once; resolves when the last HTTP connection is gone.
    const httpClosed = standalone && http.listening ? new Promise<void>((resolve) => http.close(() => resolve())) : Promise.resolve()
    const spread = Math.max(0, resolved.shutdownRetryAfterMs)
    for (const conn of registry.all) {
      // Jittered so that clients do not all reconnect in the same instant (no reconnect storm).
      conn.disconnect(CloseCode.Shutdown, 'server shutting down', Math.floor(Math.random() * spread))
    }
    // Draining waits for sockets, i.e. real I/O: bounded by wall time, not the injected clock.
    await drained(drainMs)
    for (const conn of registry.all) conn.transport.terminate()
    // A terminated socket reports its close on a later tick: let the connections clean up.
    await drained(1000)
    await sessions.releaseAll()
    engine.close()
    await Promise.allSettled([broker.close(), presenceStore.close()])
    if (standalone) {
      http.off('request', onRequest)
      http.closeAllConnections()
      await httpClosed
    }
    setState('closed')
    logger.info('closed', { node: resolved.nodeId })
  }

  return server
}
