/**
 * Where the memory of idle connections goes: starts a peer server, opens N idle connections,
 * writes a heap snapshot of the server, and lists the object kinds whose count is about a
 * multiple of N, with their bytes per connection.
 *   node --import tsx bench/src/report/heapsnapshot.ts <peer> [N=2000]
 */
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { PEERS, type PeerName } from '../config.js'
import { Session } from '../session.js'

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } }
  nodes: number[]
  strings: string[]
}

export function perConnection(snap: Snapshot, n: number): Array<{ name: string; count: number; bytesPerConn: number }> {
  const f = snap.snapshot.meta.node_fields
  const width = f.length
  const [iType, iName, iSize] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')]
  const types = snap.snapshot.meta.node_types[0]
  const agg = new Map<string, { count: number; bytes: number }>()
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]!] ?? '?'
    const name = type === 'object' || type === 'closure' || type === 'native' ? snap.strings[snap.nodes[i + iName]!] ?? '?' : `(${type})`
    const key = `${type}:${name.slice(0, 60)}`
    const a = agg.get(key) ?? { count: 0, bytes: 0 }
    a.count++
    a.bytes += snap.nodes[i + iSize]!
    agg.set(key, a)
  }
  return [...agg].map(([name, a]) => ({ name, count: a.count, bytesPerConn: a.bytes / n })).filter((x) => x.count >= n * 0.9).sort((a, b) => b.bytesPerConn - a.bytesPerConn)
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const peer = process.argv[2] as PeerName
  const n = Number(process.argv[3] ?? 2000)
  if (!PEERS[peer]) { process.stderr.write(`usage: heapsnapshot.ts <${Object.keys(PEERS).join('|')}> [N]\n`); process.exit(2) }
  const session = await Session.open({ peer, n, subscribe: false, workers: 2, pin: true })
  const path = `${tmpdir()}/bench-${peer}-${process.pid}.heapsnapshot`
  try {
    await session.server.channel.request({ cmd: 'heapsnapshot', path }, 120_000)
  } finally {
    await session.close()
  }
  const rows = perConnection(JSON.parse(readFileSync(path, 'utf8')) as Snapshot, n)
  rmSync(path, { force: true })
  let total = 0
  process.stdout.write(`${peer}: ${session.connect?.connected} connections; kinds with ≥ 0.9 × N instances\nbytes/conn  count  kind\n`)
  for (const r of rows.slice(0, 40)) {
    total += r.bytesPerConn
    process.stdout.write(`${r.bytesPerConn.toFixed(0).padStart(9)}  ${String(r.count).padStart(6)}  ${r.name}\n`)
  }
  process.stdout.write(`${total.toFixed(0).padStart(9)}  total of the rows above\n`)
  process.exit(0)
}
