/**
 * Peer (b): `ws` with a pre-framed broadcast. The message is framed once and the same Buffer is
 * written to every open subscriber through its sender, as engine.io does for socket.io
 * broadcasts (websockets/ws#617). One write() per delivery remains.
 */
import { WebSocket } from 'ws'
import { runHost } from './host.js'
import { frameText } from './frame.js'
import { startWsPeer, wsPeerServer, type WsInternals } from './ws-common.js'

runHost(async (opts) => {
  const peer = await startWsPeer(opts)
  return wsPeerServer(peer, (msg) => {
    const frame = frameText(JSON.stringify(msg))
    for (const c of peer.subs) {
      const ws = c as unknown as WsInternals
      if (ws.readyState === WebSocket.OPEN) ws._sender.sendFrame(frame)
    }
  })
})
