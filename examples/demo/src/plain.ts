/**
 * Plain WebSocket endpoints for hand-written code that does not use the minisocket client:
 * send a string, receive JSON (docs/demo.md, "Plain WebSocket endpoints", is the contract).
 *
 * - `/plain/stock`: send the text `stock` → a JSON array of prices, then the same array again at
 *   every market tick.
 * - `/plain/chat`: send a string → `{type:'message', from, text, at}` to every plain chat client.
 *
 * They share the demo's http.Server through a `ws` WebSocketServer in noServer mode; minisocket
 * itself answers upgrades on `/ws` only.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import type { Tick } from './market.js'

/** Limits of the plain endpoints (documented in docs/demo.md). */
export const PLAIN_LIMITS = {
  /** Largest inbound message; bigger → close 1009 (ws maxPayload). */
  maxMessageBytes: 4096,
  /** Chat text is cut to this many characters. */
  maxTextLength: 500,
  /** Clients per endpoint; more → HTTP 503 before the upgrade. */
  maxClients: 200,
  /** A client whose unsent bytes pass this is dropped (close 1013) instead of slowing the others. */
  maxBufferedBytes: 1 << 20,
} as const

/** One entry of the `/plain/stock` array. */
export interface PlainPrice {
  symbol: string
  price: number
  change: number
  changePct: number
  at: number
}

export type PlainChatMessage =
  | { type: 'welcome'; you: string; online: number }
  | { type: 'message'; from: string; text: string; at: number }
  | { type: 'error'; message: string }

export interface PlainEndpoints {
  /** Routes an upgrade; false when the path is not a plain endpoint. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  /** Pushes prices to every `/plain/stock` client that asked with `stock`. */
  pushPrices(ticks: readonly Tick[]): void
  readonly clients: number
  close(): void
}

export interface PlainOptions {
  now: () => number
  /** Current prices, for the first answer to `stock`. */
  prices: () => readonly Tick[]
}

const toPrices = (ticks: readonly Tick[]): PlainPrice[] => ticks.map(({ symbol, price, change, changePct, at }) => ({ symbol, price, change, changePct, at }))

const send = (ws: WebSocket, json: string): void => {
  if (ws.readyState !== WebSocket.OPEN) return
  if (ws.bufferedAmount > PLAIN_LIMITS.maxBufferedBytes) return ws.close(1013, 'too slow: dropped')
  ws.send(json)
}

const textOf = (data: RawData, isBinary: boolean): string | undefined => {
  if (isBinary) return undefined
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')
}

export function createPlainEndpoints(options: PlainOptions): PlainEndpoints {
  const wss = new WebSocketServer({ noServer: true, maxPayload: PLAIN_LIMITS.maxMessageBytes, perMessageDeflate: false })
  const stockClients = new Set<WebSocket>()
  const watching = new Set<WebSocket>()
  const chatClients = new Set<WebSocket>()
  let nextChatId = 1

  const onStock = (ws: WebSocket): void => {
    stockClients.add(ws)
    ws.on('message', (data, isBinary) => {
      const text = textOf(data, isBinary)?.trim()
      if (text !== 'stock') return send(ws, JSON.stringify({ type: 'error', message: 'send the text "stock" to receive prices' }))
      watching.add(ws)
      send(ws, JSON.stringify(toPrices(options.prices())))
    })
    ws.on('close', () => {
      stockClients.delete(ws)
      watching.delete(ws)
    })
  }

  const onChat = (ws: WebSocket): void => {
    const name = `guest-${nextChatId++}`
    chatClients.add(ws)
    send(ws, JSON.stringify({ type: 'welcome', you: name, online: chatClients.size } satisfies PlainChatMessage))
    ws.on('message', (data, isBinary) => {
      const text = textOf(data, isBinary)?.trim().slice(0, PLAIN_LIMITS.maxTextLength)
      if (text === undefined || text === '') return send(ws, JSON.stringify({ type: 'error', message: 'send a non-empty text message' } satisfies PlainChatMessage))
      const json = JSON.stringify({ type: 'message', from: name, text, at: options.now() } satisfies PlainChatMessage)
      for (const client of chatClients) send(client, json)
    })
    ws.on('close', () => chatClients.delete(ws))
  }

  const routes: Record<string, { clients: Set<WebSocket>; accept: (ws: WebSocket) => void }> = {
    '/plain/stock': { clients: stockClients, accept: onStock },
    '/plain/chat': { clients: chatClients, accept: onChat },
  }

  return {
    handleUpgrade(req, socket, head) {
      const path = (req.url ?? '/').split('?')[0] ?? '/'
      const route = routes[path]
      if (route === undefined) return false
      socket.on('error', () => {})
      if (route.clients.size >= PLAIN_LIMITS.maxClients) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
        return true
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => {})
        route.accept(ws)
      })
      return true
    },
    pushPrices(ticks) {
      if (watching.size === 0) return
      const json = JSON.stringify(toPrices(ticks))
      for (const ws of watching) send(ws, json)
    },
    get clients() {
      return stockClients.size + chatClients.size
    },
    close() {
      for (const ws of [...stockClients, ...chatClients]) {
        ws.close(1001, 'server shutting down')
        // A peer that never answers the close frame must not keep the port busy.
        setTimeout(() => ws.terminate(), 1000).unref()
      }
      wss.close()
    },
  }
}
