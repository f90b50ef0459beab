/**
 * A load-generator process, driven by the runner over IPC. It opens connections of one client
 * kind, counts and times deliveries, and runs the closed-loop request scenario. It exits when
 * the runner disconnects, so it never outlives a crashed run.
 */
import { cpuUs, nowUs } from '../clock.js'
import { watchGcPauses } from '../gc-pauses.js'
import { Histogram } from '../histogram.js'
import { connectClient, type BenchConn, type ClientKind } from './clients.js'
import { Measurement } from './measurement.js'

export type WorkerCommand =
  | { cmd: 'connect'; id: number; kind: ClientKind; port: number; n: number; inflight: number; subscribe: boolean; timeoutMs: number }
  | { cmd: 'measure'; id: number; fromSeq: number; toSeq: number }
  | { cmd: 'mark'; id: number }
  | { cmd: 'report'; id: number }
  | { cmd: 'count'; id: number }
  | { cmd: 'rpc'; id: number; warmupMs: number; durationMs: number; pad: number }
  | { cmd: 'close'; id: number }

const conns: BenchConn[] = []
const lastSeq: number[] = []
let measurement = new Measurement(0, 0)

/**
 * The load generator's own GC pauses (cumulative count and ms; the longest since the last
 * `mark`): a pause here delays every delivery queued behind it, so it shows in the latency
 * tail. Reported per window as a diagnostic (bench/analysis.md, p99 at S = 100).
 */
const gc = watchGcPauses()

function mark(id: number): object {
  // Context switches so far: a voluntary one is a sleep in epoll that a read woke (how well
  // reads batch); an involuntary one is the other worker or another process taking the core.
  const usage = process.resourceUsage()
  const m = {
    id, cpuUs: cpuUs(), t: nowUs(), gcCount: gc.count, gcMs: gc.ms, gcMaxMs: gc.maxMs,
    gcMajorCount: gc.majorCount, gcMajorMs: gc.majorMs,
    ctxVoluntary: usage.voluntaryContextSwitches, ctxInvoluntary: usage.involuntaryContextSwitches,
  }
  gc.maxMs = 0
  return m
}

function reply(msg: object): void {
  process.send?.(msg)
}

async function connectMany(c: Extract<WorkerCommand, { cmd: 'connect' }>): Promise<object> {
  const firstStartUs = nowUs()
  const cpu0 = cpuUs()
  const before = conns.length
  let next = 0
  let failed = 0
  let lastOpenUs = firstStartUs
  const errors = new Set<string>()
  const one = async (): Promise<void> => {
    while (next < c.n) {
      next++
      try {
        const slot = lastSeq.length
        lastSeq.push(-1)
        const conn = await connectClient({
          kind: c.kind,
          port: c.port,
          timeoutMs: c.timeoutMs,
          onDelivery: (seq, tUs) => {
            if (seq <= lastSeq[slot]!) measurement.seqErrors++
            lastSeq[slot] = seq
            measurement.record(seq, tUs)
          },
          onBadFrame: () => { measurement.parseErrors++ },
        })
        if (c.subscribe) await conn.subscribe('bench')
        conns.push(conn)
        lastOpenUs = nowUs()
      } catch (e) {
        failed++
        if (errors.size < 5) errors.add(e instanceof Error ? e.message : String(e))
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, c.inflight) }, one))
  return { connected: conns.length, added: conns.length - before, failed, firstStartUs, lastOpenUs, cpuUs: cpuUs() - cpu0, errors: [...errors] }
}

/** Closed loop: every connection keeps exactly one request in flight. */
function runRpc(c: Extract<WorkerCommand, { cmd: 'rpc' }>): Promise<object> {
  const pad = 'x'.repeat(c.pad)
  const hist = new Histogram()
  const windowStart = nowUs() + c.warmupMs * 1000
  const windowEnd = windowStart + c.durationMs * 1000
  let inWindow = 0
  let outstanding = 0
  const cpuMark = { startCpu: 0, startT: 0, endCpu: 0, endT: 0 }
  return new Promise((resolve) => {
    let finished = false
    const finish = (): void => {
      if (finished) return
      finished = true
      clearTimeout(startTimer)
      clearTimeout(endTimer)
      clearTimeout(hardStop)
      if (cpuMark.endT === 0) Object.assign(cpuMark, { endCpu: cpuUs(), endT: nowUs() })
      resolve({
        roundTrips: inWindow, hist: hist.toSparse(), maxUs: hist.maxUs, windowUs: windowEnd - windowStart,
        cpuUs: cpuMark.endCpu - cpuMark.startCpu, cpuWallUs: cpuMark.endT - cpuMark.startT,
      })
    }
    const startTimer = setTimeout(() => Object.assign(cpuMark, { startCpu: cpuUs(), startT: nowUs() }), c.warmupMs)
    const endTimer = setTimeout(() => {
      Object.assign(cpuMark, { endCpu: cpuUs(), endT: nowUs() })
      if (outstanding === 0) finish()
    }, c.warmupMs + c.durationMs)
    // Bounded: give up 2 s after the window even if some replies never come.
    const hardStop = setTimeout(finish, c.warmupMs + c.durationMs + 2000)
    const send = (conn: BenchConn): void => {
      outstanding++
      conn.request(nowUs(), pad, (tSent) => {
        outstanding--
        const now = nowUs()
        if (now >= windowStart && now < windowEnd) {
          inWindow++
          hist.record(now - tSent)
        }
        if (now < windowEnd) send(conn)
        else if (outstanding === 0 && cpuMark.endT !== 0) finish()
      })
    }
    for (const conn of conns) send(conn)
  })
}

async function handle(c: WorkerCommand): Promise<void> {
  switch (c.cmd) {
    case 'connect': reply({ id: c.id, ...(await connectMany(c)) }); return
    case 'measure':
      measurement = new Measurement(c.fromSeq, c.toSeq)
      reply({ id: c.id, cpuUs: cpuUs(), t: nowUs() })
      return
    case 'mark': reply(mark(c.id)); return
    case 'count': reply({ id: c.id, received: measurement.received, total: measurement.total }); return
    case 'report': reply({ id: c.id, ...measurement.report(), cpuUs: cpuUs() }); return
    case 'rpc': reply({ id: c.id, ...(await runRpc(c)) }); return
    case 'close':
      for (const conn of conns) conn.close()
      conns.length = 0
      reply({ id: c.id, closed: true })
      setTimeout(() => process.exit(0), 50)
      return
  }
}

process.on('message', (msg) => {
  const c = msg as WorkerCommand
  handle(c).catch((e: unknown) => reply({ id: c.id, error: e instanceof Error ? e.message : String(e) }))
})
process.on('disconnect', () => process.exit(0))
reply({ ready: true, pid: process.pid })
