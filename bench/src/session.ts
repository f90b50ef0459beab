/**
 * One session: a fresh peer server (pinned to the server core) and the load-generator workers
 * (pinned to the other core) with `n` connections spread over them. Every scenario runs inside
 * sessions; `close()` always stops every process the session started.
 */
import { cpuPct } from './stats.js'
import { PEERS, serverOf, type PeerName } from './config.js'
import { ServerProc, WorkerProc } from './procs.js'
import type { ClientKind } from './loadgen/clients.js'

export const SERVER_CPU = '0'
export const LOADGEN_CPU = '1'

export interface ConnectResult {
  connected: number
  failed: number
  /** Connections per second from the first connect start to the last open (across workers). */
  ratePerS: number
  wallMs: number
  serverCpuPct: number
  loadgenCpuPct: number
  errors: string[]
}

export interface SessionOptions {
  peer: PeerName
  n: number
  subscribe: boolean
  workers: number
  pin: boolean
  inflight?: number
  /** Write CPU profiles of the server and load-generator processes into this directory. */
  cpuProfDir?: string | undefined
  /** Client kind; default the peer's fan-out client. */
  kind?: ClientKind
}

export class Session {
  private constructor(readonly peer: PeerName, readonly server: ServerProc, readonly workers: WorkerProc[], readonly subs: number) {}
  nextSeq = 0
  connect: ConnectResult | undefined

  static async open(o: SessionOptions): Promise<Session> {
    const started = await Promise.allSettled([
      ServerProc.start(serverOf(o.peer), o.pin ? SERVER_CPU : null, o.cpuProfDir),
      ...Array.from({ length: o.workers }, () => WorkerProc.start(o.pin ? LOADGEN_CPU : null, o.cpuProfDir, o.peer)),
    ])
    const failed = started.find((r) => r.status === 'rejected')
    if (failed) {
      await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)))
      throw (failed as PromiseRejectedResult).reason
    }
    const [server, ...workers] = started.map((r) => (r as PromiseFulfilledResult<ServerProc | WorkerProc>).value) as [ServerProc, ...WorkerProc[]]
    const session = new Session(o.peer, server, workers, o.n)
    try {
      session.connect = await session.connectAll(o)
    } catch (e) {
      await session.close()
      throw e
    }
    return session
  }

  private async connectAll(o: SessionOptions): Promise<ConnectResult> {
    const kind = o.kind ?? PEERS[o.peer].client
    const cpu0 = await this.server.channel.request({ cmd: 'cpu' })
    const shares = this.workers.map((_, i) => Math.floor(o.n / this.workers.length) + (i < o.n % this.workers.length ? 1 : 0))
    const timeoutMs = 15_000
    const replies = await Promise.all(this.workers.map((w, i) =>
      w.channel.request({ cmd: 'connect', kind, port: this.server.port, n: shares[i], inflight: o.inflight ?? 64, subscribe: o.subscribe, timeoutMs }, 120_000 + o.n * 20)))
    const cpu1 = await this.server.channel.request({ cmd: 'cpu' })
    const first = Math.min(...replies.map((r) => Number(r['firstStartUs'])))
    const last = Math.max(...replies.map((r) => Number(r['lastOpenUs'])))
    const connected = replies.reduce((a, r) => a + Number(r['connected']), 0)
    const wallUs = Math.max(1, last - first)
    const loadgenCpuUs = replies.reduce((a, r) => a + Number(r['cpuUs']), 0)
    return {
      connected,
      failed: replies.reduce((a, r) => a + Number(r['failed']), 0),
      ratePerS: (connected / wallUs) * 1e6,
      wallMs: wallUs / 1000,
      serverCpuPct: cpuPct(Number(cpu1['cpuUs']) - Number(cpu0['cpuUs']), Number(cpu1['t']) - Number(cpu0['t'])),
      loadgenCpuPct: cpuPct(loadgenCpuUs, wallUs),
      errors: replies.flatMap((r) => r['errors'] as string[]),
    }
  }

  /** Sends one command to every worker and waits for all replies. */
  all(cmd: Record<string, unknown>, timeoutMs = 30_000): Promise<Array<Record<string, unknown>>> {
    return Promise.all(this.workers.map((w) => w.channel.request(cmd, timeoutMs)))
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.server.stop(), ...this.workers.map((w) => w.stop())])
  }
}
