/**
 * Idle connections: N connections opened (64 in flight per worker), then the server's memory is
 * read after gc() twice (the server runs with --expose-gc), just before and `settleMs` after.
 * "Connected" is the peer's own notion: `open` for ws, the namespace `connect` for socket.io,
 * the `connected` frame for minisocket. Kernel socket buffers are not in RSS, for any peer.
 * The quick profile measures its repeats as successive batches in one server (see runIdle).
 */
import { sleep } from '../clock.js'
import { PEERS, type PeerName, type Profile } from '../config.js'
import { Session } from '../session.js'

export interface IdleResult {
  n: number
  connected: number
  failed: number
  connectRatePerS: number
  rssPerConnKiB: number
  heapPerConnKiB: number
  rssBeforeMiB: number
  rssAfterMiB: number
  serverCpuPct: number
  loadgenCpuPct: number
  errors: string[]
}

interface Mem { rss: number; heapUsed: number }

/**
 * `batches` > 1 (quick profile): one server, N more connections per batch, each batch measured
 * as its own repeat (memory delta of that batch / N). Otherwise one batch in a fresh server.
 */
export async function runIdle(peer: PeerName, p: Profile, batches = 1): Promise<IdleResult[]> {
  const session = await Session.open({ peer, n: 0, subscribe: false, workers: p.workers, pin: p.pin })
  const out: IdleResult[] = []
  try {
    for (let b = 0; b < batches; b++) out.push(await connectBatch(session, peer, p))
    return out
  } finally {
    await session.close()
  }
}

async function connectBatch(session: Session, peer: PeerName, p: Profile): Promise<IdleResult> {
  const before = (await session.server.channel.request({ cmd: 'mem' }))['mem'] as Mem
  const cpu0 = await session.server.channel.request({ cmd: 'cpu' })
  const shares = session.workers.map((_, i) => Math.floor(p.idle.n / session.workers.length) + (i < p.idle.n % session.workers.length ? 1 : 0))
  const replies = await Promise.all(session.workers.map((w, i) => w.channel.request(
    { cmd: 'connect', kind: PEERS[peer].client, port: session.server.port, n: shares[i], inflight: p.idle.inflight, subscribe: false, timeoutMs: 15_000 },
    120_000 + p.idle.n * 20)))
  const cpu1 = await session.server.channel.request({ cmd: 'cpu' })
  await sleep(p.idle.settleMs)
  const after = (await session.server.channel.request({ cmd: 'mem' }))['mem'] as Mem
  // Workers report their cumulative connection count: this batch is the sum of what they added.
  const connected = replies.reduce((a, r) => a + Number(r['added']), 0)
  const first = Math.min(...replies.map((r) => Number(r['firstStartUs'])))
  const last = Math.max(...replies.map((r) => Number(r['lastOpenUs'])))
  const wallUs = Math.max(1, last - first)
  const per = Math.max(1, connected)
  return {
    n: p.idle.n,
    connected,
    failed: replies.reduce((a, r) => a + Number(r['failed']), 0),
    connectRatePerS: (connected / wallUs) * 1e6,
    rssPerConnKiB: (after.rss - before.rss) / per / 1024,
    heapPerConnKiB: (after.heapUsed - before.heapUsed) / per / 1024,
    rssBeforeMiB: before.rss / 1048576,
    rssAfterMiB: after.rss / 1048576,
    serverCpuPct: ((Number(cpu1['cpuUs']) - Number(cpu0['cpuUs'])) / wallUs) * 100,
    loadgenCpuPct: (replies.reduce((a, r) => a + Number(r['cpuUs']), 0) / wallUs) * 100,
    errors: replies.flatMap((r) => r['errors'] as string[]),
  }
}
