/**
 * The demo app: one http.Server carrying the web pages, the minisocket endpoint (`/ws`), the HTTP
 * API, and the plain WebSocket endpoints — with a simulated market and an admin feed publishing
 * on channels. `npm start` runs it on port 8080 (docs/demo.md).
 *
 * @example
 * const demo = await startDemo({ port: 0, host: '127.0.0.1' })
 * console.log(demo.urls.chat) // http://127.0.0.1:41234/chat
 * await demo.close()
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Json } from '@minisocket/protocol'
import { createServer, RpcError, systemClock, type Clock, type Logger, type MiniServer } from '@minisocket/server'
import { createAdminFeed, type AdminFeed } from './admin.js'
import { buildAssets, serveAsset } from './assets.js'
import { demoNamespaces } from './channels.js'
import { createMarket, type Market } from './market.js'
import { createPlainEndpoints, type PlainEndpoints } from './plain.js'

export interface DemoOptions {
  /** Default 8080; 0 picks a free port (tests). */
  port?: number
  /** Default '0.0.0.0' (reachable from a phone on the LAN); tests pass '127.0.0.1'. */
  host?: string
  clock?: Clock
  logger?: Logger
  /** Market seed: same seed, same prices. Default 1. */
  seed?: number
  /** Market tick interval, ms. Default 250. */
  tickMs?: number
  /** Candle length, ms. Default 5000. */
  candleMs?: number
  /** Admin sample interval, ms. Default 1000. */
  statsIntervalMs?: number
  /** Enables the HTTP publish API (docs/http-api.md). Default: off. */
  apiKey?: string
  /** Spread of the reconnect hint sent on shutdown, ms. Default 5000. */
  shutdownRetryAfterMs?: number
  /** How long a dropped page stays `away` before it leaves. Default 30000. */
  resumeWindowMs?: number
}

export interface Demo {
  readonly port: number
  readonly urls: { home: string; chat: string; stock: string; admin: string; ws: string; plainStock: string; plainChat: string }
  readonly server: MiniServer
  readonly market: Market
  readonly admin: AdminFeed
  readonly plain: PlainEndpoints
  /** Graceful: disconnect 4000 to every client, then the port is free again. */
  close(options?: { drainMs?: number }): Promise<void>
}

function rejectUpgrade(socket: Duplex, status: string): void {
  socket.on('error', () => {})
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const clock = options.clock ?? systemClock
  const assets = await buildAssets()
  const http = createHttpServer()
  const server = createServer({
    server: http,
    path: '/ws',
    namespaces: demoNamespaces,
    clock,
    ...(options.logger && { logger: options.logger }),
    ...(options.apiKey !== undefined && { apiKey: options.apiKey }),
    shutdownRetryAfterMs: options.shutdownRetryAfterMs ?? 5000,
    resumeWindowMs: options.resumeWindowMs ?? 30_000,
    rpc: {
      'stock.symbols': () => market.snapshot().map((t) => ({ ...t, name: market.symbols.find((s) => s.symbol === t.symbol)?.name ?? t.symbol })) as unknown as Json,
      'stock.candles': (data) => {
        const symbol = typeof data === 'object' && data !== null && !Array.isArray(data) ? data.symbol : undefined
        if (typeof symbol !== 'string' || !market.symbols.some((s) => s.symbol === symbol)) throw new RpcError(100, 'stock.candles: {symbol} must be one of ' + market.symbols.map((s) => s.symbol).join(', '))
        return market.candles(symbol) as unknown as Json
      },
    },
  })
  const report = (err: unknown): void => options.logger?.warn('demo publish failed', { error: (err as Error)?.message })
  const market = createMarket({
    clock,
    seed: options.seed ?? 1,
    ...(options.tickMs !== undefined && { tickMs: options.tickMs }),
    ...(options.candleMs !== undefined && { candleMs: options.candleMs }),
    onStep: (ticks) => {
      for (const tick of ticks) server.publish(`stock:${tick.symbol}`, tick as unknown as Json).catch(report)
      plain.pushPrices(ticks)
    },
  })
  const plain = createPlainEndpoints({ now: () => clock.now(), prices: () => market.snapshot() })
  const admin = createAdminFeed({
    clock,
    stats: () => server.stats(),
    plainClients: () => plain.clients,
    publish: (sample) => void server.publish('admin:stats', sample as unknown as Json).catch(report),
    ...(options.statsIntervalMs !== undefined && { intervalMs: options.statsIntervalMs }),
  })

  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (serveAsset(assets, req, res) || server.handleRequest(req, res)) return
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n')
  })
  // minisocket's own listener answers /ws and leaves other paths alone (we also listen here).
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] === '/ws') return
    if (!plain.handleUpgrade(req, socket, head)) rejectUpgrade(socket, '404 Not Found')
  })

  await server.listen()
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(options.port ?? 8080, options.host ?? '0.0.0.0', () => {
        http.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    // e.g. EADDRINUSE: release what listen() started before reporting it.
    plain.close()
    await server.close({ drainMs: 0 })
    throw error
  }
  market.start()
  admin.start()

  const port = (http.address() as AddressInfo).port
  const shown = options.host === undefined || options.host === '0.0.0.0' ? 'localhost' : options.host
  const base = `http://${shown}:${port}`
  let closing: Promise<void> | undefined
  return {
    port,
    urls: {
      home: `${base}/`,
      chat: `${base}/chat`,
      stock: `${base}/stock`,
      admin: `${base}/admin`,
      ws: `ws://${shown}:${port}/ws`,
      plainStock: `ws://${shown}:${port}/plain/stock`,
      plainChat: `ws://${shown}:${port}/plain/chat`,
    },
    server,
    market,
    admin,
    plain,
    close(closeOptions = {}) {
      closing ??= (async () => {
        market.stop()
        admin.stop()
        plain.close()
        await server.close({ drainMs: closeOptions.drainMs ?? 2000 })
        const closed = new Promise<void>((resolve) => http.close(() => resolve()))
        http.closeAllConnections()
        await closed
      })()
      return closing
    },
  }
}
