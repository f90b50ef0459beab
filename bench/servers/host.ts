/**
 * The process shell every peer server runs in. A peer file only says how to start its server and
 * how to fan one message out; this shell does the rest the same way for all of them:
 *  - prints {"ready":true,"port":N} on stdout once listening on 127.0.0.1;
 *  - reads JSON-line commands on stdin: publish at a rate, cpu, mem, stats, heapsnapshot, exit;
 *  - answers with JSON lines carrying the command's id;
 *  - exits when stdin ends, so a crashed runner never leaves a server behind.
 * The publisher lives in the server process (server-side publish), so one load generator drives
 * every peer and the payload timestamp is taken where the publication starts.
 */
import { createInterface } from 'node:readline'
import { writeHeapSnapshot } from 'node:v8'
import { cpuUs, nowUs } from '../src/clock.js'
import { watchGcPauses } from '../src/gc-pauses.js'
import { Histogram } from '../src/histogram.js'
import { PublishSchedule } from './schedule.js'

/** What every peer publishes: ~95 bytes of JSON once serialized. */
export interface BenchMessage {
  s: number
  t: number
  p: string
}

export interface PeerServer {
  port: number
  /** Fans one message out to every subscriber of the bench channel (`bench`). */
  publish(msg: BenchMessage): void
  /** Subscribers of the bench channel and open connections, as the server counts them. */
  counts(): { subscribers: number; connections: number }
  close(): Promise<void>
}

export type StartPeer = (opts: { host: string; port: number }) => Promise<PeerServer>

interface PublishCommand {
  cmd: 'publish'
  id: number
  rate: number
  warmupMs: number
  durationMs: number
  firstSeq: number
  pad: number
  /** Lag (ms) above which the schedule counts as not kept. */
  lagLimitMs: number
}

type Command =
  | PublishCommand
  | { cmd: 'cpu'; id: number }
  | { cmd: 'mem'; id: number }
  | { cmd: 'stats'; id: number }
  | { cmd: 'heapsnapshot'; id: number; path: string }
  | { cmd: 'exit'; id: number }

function emit(obj: object): void {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

/** The server's GC pauses (diagnostic): a pause holds up the publisher and every delivery behind it. */
const gc = watchGcPauses()

/** Runs the fixed-rate schedule: a 1 ms timer catches up to where the schedule says it should be. */
function runPublish(server: PeerServer, c: PublishCommand): void {
  const total = Math.max(1, Math.round((c.rate * (c.warmupMs + c.durationMs)) / 1000))
  const warmup = Math.round((c.rate * c.warmupMs) / 1000)
  const pad = 'x'.repeat(c.pad)
  const schedule = new PublishSchedule(nowUs(), 1e6 / c.rate, total)
  let sent = 0
  // How long each measured publish call took: every peer fans out synchronously inside it, so
  // this is the server's own share of a burst's latency (what is left is the kernel's and the
  // load generator's; bench/analysis.md, p99 at S = 100).
  const bursts = new Histogram()
  let windowStartUs = 0
  /** process.cpuUsage() at the window's start: user and system time, read together. */
  let cpuAtWindow = process.cpuUsage()
  let gcAtWindow = { ...gc }
  const tick = (): void => {
    const due = schedule.due(nowUs())
    while (sent < due) {
      if (sent === warmup) {
        windowStartUs = nowUs()
        cpuAtWindow = process.cpuUsage()
        gcAtWindow = { ...gc }
        gc.maxMs = 0
        emit({ id: c.id, event: 'window-start', t: windowStartUs })
      }
      const t = nowUs()
      schedule.started(sent, t)
      server.publish({ s: c.firstSeq + sent, t, p: pad })
      if (sent >= warmup) bursts.record(nowUs() - t)
      sent++
    }
    if (sent >= total) {
      clearInterval(timer)
      const end = nowUs()
      const used = process.cpuUsage(cpuAtWindow)
      emit({
        id: c.id,
        event: 'published',
        count: total,
        warmupCount: warmup,
        firstMeasuredSeq: c.firstSeq + warmup,
        lastSeq: c.firstSeq + total - 1,
        windowStartUs,
        windowEndUs: end,
        serverCpuUs: used.user + used.system,
        serverUserCpuUs: used.user,
        maxLagMs: schedule.maxLagMs,
        burstP50Ms: bursts.quantile(0.5) / 1000,
        burstP99Ms: bursts.quantile(0.99) / 1000,
        burstMaxMs: bursts.maxUs / 1000,
        gcCount: gc.count - gcAtWindow.count,
        gcMs: gc.ms - gcAtWindow.ms,
        gcMaxMs: gc.maxMs,
        gcMajorCount: gc.majorCount - gcAtWindow.majorCount,
        gcMajorMs: gc.majorMs - gcAtWindow.majorMs,
        lastLagMs: schedule.lastLagMs,
        keptSchedule: schedule.lastLagMs <= c.lagLimitMs,
      })
    }
  }
  const timer = setInterval(tick, 1)
  tick()
}

function memory(): object {
  const g = globalThis as { gc?: () => void }
  g.gc?.()
  g.gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, gc: g.gc !== undefined }
}

export function runHost(start: StartPeer): void {
  const main = async (): Promise<void> => {
    const server = await start({ host: '127.0.0.1', port: 0 })
    let closing = false
    const exit = async (code: number): Promise<void> => {
      if (closing) return
      closing = true
      const force = setTimeout(() => process.exit(code), 2000)
      force.unref()
      try { await server.close() } catch { /* exiting anyway */ }
      process.exit(code)
    }
    const lines = createInterface({ input: process.stdin })
    lines.on('line', (line) => {
      let c: Command
      try { c = JSON.parse(line) as Command } catch { emit({ error: 'bad command', line }); return }
      switch (c.cmd) {
        case 'publish': runPublish(server, c); break
        case 'cpu': emit({ id: c.id, cpuUs: cpuUs(), t: nowUs() }); break
        case 'mem': emit({ id: c.id, mem: memory() }); break
        case 'stats': emit({ id: c.id, ...server.counts() }); break
        case 'heapsnapshot': emit({ id: c.id, path: writeHeapSnapshot(c.path) }); break
        case 'exit': emit({ id: c.id, bye: true }); void exit(0); break
        default: emit({ error: 'unknown command', line })
      }
    })
    lines.on('close', () => void exit(0))
    process.on('SIGTERM', () => void exit(0))
    emit({ ready: true, port: server.port, pid: process.pid })
  }
  main().catch((err: unknown) => {
    emit({ ready: false, error: String(err instanceof Error ? err.stack : err) })
    process.exit(1)
  })
}
