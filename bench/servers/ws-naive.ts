/** Peer (a): `ws` with the naive broadcast loop, `for (c of subs) c.send(text)`. */
import { runHost } from './host.js'
import { startWsPeer, wsPeerServer } from './ws-common.js'

runHost(async (opts) => {
  const peer = await startWsPeer(opts)
  return wsPeerServer(peer, (msg) => {
    const text = JSON.stringify(msg)
    for (const c of peer.subs) c.send(text)
  })
})
