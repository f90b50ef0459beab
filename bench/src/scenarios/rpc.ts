/**
 * Request/response from `clients` connections in a closed loop (each keeps exactly one request
 * in flight; the reply triggers the next): raw ws echo, socket.io acknowledgements, minisocket rpc.
 * Throughput = replies received inside the window / window length, summed over workers.
 */
import { sleep } from '../clock.js'
import { Histogram, summarize, type LatencySummary, type SparseCounts } from '../histogram.js'
import type { Profile } from '../config.js'
import type { Session } from '../session.js'
import { cpuPct } from '../stats.js'

export interface RpcResult {
  clients: number
  roundTripsPerS: number
  latency: LatencySummary
  serverCpuPct: number
  serverUsPerRoundTrip: number
  loadgenCpuPct: number
  /** Load-generator CPU per round trip: the client library's cost, with ws, sockets and JSON (absent in results older than it). */
  loadgenUsPerRoundTrip?: number
}

export async function runRpc(session: Session, p: Profile): Promise<RpcResult> {
  const w = p.rpc.window
  const pending = session.all({ cmd: 'rpc', warmupMs: w.warmupMs, durationMs: w.durationMs, pad: p.payloadPad }, w.warmupMs + w.durationMs + 30_000)
  await sleep(w.warmupMs)
  const cpu0 = await session.server.channel.request({ cmd: 'cpu' })
  await sleep(w.durationMs)
  const cpu1 = await session.server.channel.request({ cmd: 'cpu' })
  const replies = await pending
  const hist = new Histogram()
  let trips = 0
  let loadgenCpu = 0
  let loadgenWall = 0
  for (const r of replies) {
    hist.merge(r['hist'] as SparseCounts, Number(r['maxUs']))
    trips += Number(r['roundTrips'])
    loadgenCpu += Number(r['cpuUs'])
    loadgenWall = Math.max(loadgenWall, Number(r['cpuWallUs']))
  }
  const serverCpuUs = Number(cpu1['cpuUs']) - Number(cpu0['cpuUs'])
  const serverWall = Number(cpu1['t']) - Number(cpu0['t'])
  const rate = trips / (w.durationMs / 1000)
  return {
    clients: session.connect?.connected ?? 0,
    roundTripsPerS: rate,
    latency: summarize(hist),
    serverCpuPct: cpuPct(serverCpuUs, serverWall),
    serverUsPerRoundTrip: trips > 0 ? serverCpuUs / (rate * serverWall / 1e6) : Number.NaN,
    loadgenCpuPct: cpuPct(loadgenCpu, loadgenWall),
    loadgenUsPerRoundTrip: trips > 0 ? loadgenCpu / trips : Number.NaN,
  }
}
