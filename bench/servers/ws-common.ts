/**
 * The `ws` server the three raw peers share, speaking the bench's text protocol:
 *   client → {"op":"sub","ch":"bench"}   server → {"op":"subok"}   (joins the channel)
 *   any other text frame                 is echoed back verbatim    (the RPC scenario)
 * Deflate is off (as in every peer) and the socket keeps Nagle off (ws default).
 */
import { WebSocketServer, type WebSocket } from 'ws'
import type { PeerServer } from './host.js'

export interface WsPeer {
  wss: WebSocketServer
  subs: Set<WebSocket>
  port: number
}

const SUB_PREFIX = '{"op":"sub"'

export async function startWsPeer(opts: { host: string; port: number }): Promise<WsPeer> {
  const wss = new WebSocketServer({ host: opts.host, port: opts.port, perMessageDeflate: false, maxPayload: 64 * 1024 })
  const subs = new Set<WebSocket>()
  wss.on('connection', (ws) => {
    ws.on('error', () => ws.terminate())
    ws.on('close', () => subs.delete(ws))
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString()
      if (text.startsWith(SUB_PREFIX)) {
        subs.add(ws)
        ws.send('{"op":"subok"}')
      } else {
        ws.send(data, { binary: isBinary })
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  const addr = wss.address()
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0
  return { wss, subs, port }
}

export function wsPeerServer(peer: WsPeer, publish: PeerServer['publish']): PeerServer {
  return {
    port: peer.port,
    publish,
    counts: () => ({ subscribers: peer.subs.size, connections: peer.wss.clients.size }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of peer.wss.clients) c.terminate()
        peer.wss.close(() => resolve())
      }),
  }
}

/** The private parts of a ws socket the pre-framed peers write through (what engine.io does). */
export interface WsInternals {
  readyState: number
  _sender: { sendFrame(list: Buffer[], cb?: () => void): void }
  _socket: { cork(): void; uncork(): void; destroyed: boolean }
}
