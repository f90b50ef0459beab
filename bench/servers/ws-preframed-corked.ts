/**
 * Extra reference (b2): peer (b) plus cork/uncork per subscriber per event-loop turn. Each socket
 * is corked at its first write in a turn and uncorked in setImmediate, so every message published
 * during the turn leaves in one writev per subscriber (what uWebSockets.js does natively).
 */
import { WebSocket } from 'ws'
import { runHost } from './host.js'
import { frameText } from './frame.js'
import { startWsPeer, wsPeerServer, type WsInternals } from './ws-common.js'

runHost(async (opts) => {
  const peer = await startWsPeer(opts)
  let corked = new Set<WsInternals>()
  const uncorkAll = (): void => {
    const batch = corked
    corked = new Set()
    for (const ws of batch) if (!ws._socket.destroyed) ws._socket.uncork()
  }
  return wsPeerServer(peer, (msg) => {
    const frame = frameText(JSON.stringify(msg))
    for (const c of peer.subs) {
      const ws = c as unknown as WsInternals
      if (ws.readyState !== WebSocket.OPEN) continue
      if (!corked.has(ws)) {
        if (corked.size === 0) setImmediate(uncorkAll)
        ws._socket.cork()
        corked.add(ws)
      }
      ws._sender.sendFrame(frame)
    }
  })
})
