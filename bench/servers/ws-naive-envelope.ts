/**
 * Diagnostic, never judged: the naive loop of peer (a), sending each publication in the exact
 * envelope minisocket's server puts on the wire (protocol v2's compact `pub`:
 * `["p",channel,data,offset]`, built by the protocol package's own encoder). Same server as
 * ws-naive but for the bytes, so that an A/B against ws-naive tells what the envelope costs the
 * receiving side, and one against minisocket what minisocket's server adds (bench/analysis.md).
 */
import { encodeCompactPub } from '@minisocket/protocol'
import { runHost } from './host.js'
import { startWsPeer, wsPeerServer } from './ws-common.js'

runHost(async (opts) => {
  const peer = await startWsPeer(opts)
  let offset = 0
  return wsPeerServer(peer, (msg) => {
    const text = encodeCompactPub({ type: 'pub', channel: 'bench', data: { s: msg.s, t: msg.t, p: msg.p }, offset: ++offset }, false)
    for (const c of peer.subs) c.send(text)
  })
})
