/**
 * Runs a profile: every scenario for every peer, interleaving peers so that slow drift of the
 * machine (VM steal time) spreads over all of them, and returns the raw results. A session that
 * fails is recorded as an error and the run goes on; the whole run stops at profile.maxMinutes.
 */
import { cpus, release } from 'node:os'
import { hasTaskset } from './procs.js'
import { waitForQuiet } from './machine.js'
import { PEERS, serverOf, type PeerName, type Profile, type ScenarioName } from './config.js'
import { Session } from './session.js'
import { silentProgress, type ProgressSink } from './progress.js'
import { runFixed, runMaxRate, type MaxRateResult } from './scenarios/fanout.js'
import { runIdle, type IdleResult } from './scenarios/idle.js'
import { runRpc, type RpcResult } from './scenarios/rpc.js'
import { runSizes, type SizeResult } from './scenarios/sizes.js'
import type { WindowResult } from './scenarios/window.js'

export interface Row<T> { peer: PeerName; subs?: number; repeat: number; result: T }

export interface BenchResults {
  profile: Profile
  machine: { cpus: number; model: string; node: string; kernel: string; taskset: boolean; pinned: boolean }
  startedAt: string
  durationS: number
  fanout: Array<Row<WindowResult>>
  maxrate: Array<Row<MaxRateResult>>
  idle: Array<Row<IdleResult>>
  rpc: Array<Row<RpcResult>>
  sizes: SizeResult[]
  errors: Array<{ scenario: string; peer?: string; subs?: number; message: string }>
  /** Per session: how long it waited for other load to go away, and the load it started with. */
  quietWaits: Array<{ label: string; waitedMs: number; busyPct: number }>
}

/** One fan-out session: the fixed-rate repeats and the max-rate searches it runs on its connections. */
export interface FanoutSession {
  subs: number
  peer: PeerName
  /** Repeat indices measured at the fixed rate / searched for the max rate in this session. */
  fixed: number[]
  max: number[]
  /** The cell's repeat count, for the label. */
  total: number
}

/** Repeat indices in sessions: one per session with fresh processes, else all in one. */
function blocksOf(p: Profile, n: number): number[][] {
  return p.freshPerRepeat ? Array.from({ length: n }, (_, i) => [i]) : [Array.from({ length: n }, (_, i) => i)]
}

/**
 * The peers of repeat block `block` in run order: rotated one place per block, so that over the
 * repeats each peer runs at each place of the round once (counterbalanced). With a fixed order
 * a peer always ran right after the same other one, and the VM's slow spells, which last
 * minutes, fell on neighbouring cells alike (bench/analysis.md).
 */
export function peersInRunOrder<T>(peers: readonly T[], block: number): T[] {
  const k = peers.length === 0 ? 0 : block % peers.length
  return [...peers.slice(k), ...peers.slice(0, k)]
}

/**
 * The fan-out sessions in run order: repeat blocks outermost (peers interleaved, their order
 * rotated per block by `peersInRunOrder`), then S, then peer. A session runs the fixed-rate
 * repeat and the max-rate search of the same repeat index; the fixed-rate cells may have more
 * repeats than the search (`fanout.repeats`).
 */
export function fanoutPlan(p: Profile): FanoutSession[] {
  const has = (s: ScenarioName): boolean => p.scenarios.includes(s)
  const fanRepeats = p.fanout.repeats ?? p.repeats
  const fanSubs = [...new Set([...(has('fanout') ? p.fanout.subs : []), ...(has('maxrate') ? p.maxrate.subs : [])])].sort((a, b) => a - b)
  const plan: FanoutSession[] = []
  for (const [b, block] of blocksOf(p, Math.max(p.repeats, fanRepeats)).entries()) {
    for (const subs of fanSubs) {
      for (const peer of peersInRunOrder(p.peers, b)) {
        const doFixed = has('fanout') && p.fanout.subs.includes(subs)
        const doMax = has('maxrate') && p.maxrate.subs.includes(subs) && p.maxrate.peers.includes(peer)
        const fixed = doFixed ? block.filter((r) => r < fanRepeats) : []
        const max = doMax ? block.filter((r) => r < p.repeats) : []
        if (fixed.length === 0 && max.length === 0) continue
        plan.push({ subs, peer, fixed, max, total: Math.max(doFixed ? fanRepeats : 0, doMax ? p.repeats : 0) })
      }
    }
  }
  return plan
}

/** How many sessions a profile runs: the progress display's denominator. */
export function countSessions(p: Profile): number {
  const has = (s: string): boolean => p.scenarios.includes(s as never)
  /** Sessions per peer of a scenario with its own repeat count: one, unless each repeat is fresh. */
  const sessionsPerPeer = (repeats: number | undefined): number => (p.freshPerRepeat ? (repeats ?? p.repeats) : 1)
  let n = fanoutPlan(p).length
  if (has('idle')) n += p.idle.peers.filter((x) => p.peers.includes(x)).length * sessionsPerPeer(p.idle.repeats)
  if (has('rpc')) n += p.rpc.peers.filter((x) => p.peers.includes(serverOf(x))).length * sessionsPerPeer(p.rpc.repeats)
  if (has('sizes')) n += 1
  return n
}

export async function runBench(p: Profile, progress: ProgressSink = silentProgress): Promise<BenchResults> {
  const t0 = Date.now()
  const deadline = t0 + p.maxMinutes * 60_000
  const cpuList = cpus()
  const res: BenchResults = {
    profile: p,
    machine: { cpus: cpuList.length, model: cpuList[0]?.model ?? '?', node: process.version, kernel: release(), taskset: hasTaskset(), pinned: p.pin && hasTaskset() },
    startedAt: new Date(t0).toISOString(),
    durationS: 0,
    fanout: [], maxrate: [], idle: [], rpc: [], sizes: [], errors: [], quietWaits: [],
  }
  const has = (s: string): boolean => p.scenarios.includes(s as never)
  let sessionsDone = 0
  const guard = async (scenario: string, label: string, ctx: { peer?: PeerName; subs?: number }, fn: () => Promise<void>, timed = true): Promise<void> => {
    const avgMs = sessionsDone > 0 ? (Date.now() - t0) / sessionsDone : 0
    if (Date.now() + avgMs > deadline) {
      res.errors.push({ scenario, ...ctx, message: `skipped: would exceed the ${p.maxMinutes} min budget of the ${p.name} profile` })
      progress.end()
      return
    }
    progress.begin(label)
    if (timed && p.quiet.maxWaitMs > 0) {
      const q = await waitForQuiet(res.machine.cpus, p.quiet.maxPct, p.quiet.maxWaitMs)
      res.quietWaits.push({ label, ...q })
      if (q.busyPct > p.quiet.maxPct) progress.note(`~ ${label}: machine still ${q.busyPct.toFixed(0)} % busy with other work after ${(q.waitedMs / 1000).toFixed(0)} s; running anyway`)
    }
    try { await fn() } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      res.errors.push({ scenario, ...ctx, message })
      progress.note(`! ${label}: ${message}`)
    }
    sessionsDone++
    progress.end()
  }

  if (has('sizes')) await guard('sizes', 'client bundle sizes', {}, async () => { res.sizes = await runSizes() }, false)

  for (const { subs, peer, fixed, max, total } of fanoutPlan(p)) {
    // Both lists are prefixes of the session's repeat block: the longer one names the block.
    const reps = (fixed.length >= max.length ? fixed : max).map((r) => r + 1).join(',')
    await guard('fanout', `fan-out S=${subs} ${peer} rep ${reps}/${total}`, { peer, subs }, async () => {
      const session = await Session.open({ peer, n: subs, subscribe: true, workers: p.workers, pin: p.pin, cpuProfDir: p.cpuProfDir })
      try {
        if (session.connect!.connected < subs) throw new Error(`only ${session.connect!.connected}/${subs} subscribed: ${session.connect!.errors.join('; ')}`)
        for (const repeat of fixed) {
          progress.detail(`fixed ${p.fanout.offeredDps / 1000}k deliveries/s, repeat ${repeat + 1}`)
          res.fanout.push({ peer, subs, repeat, result: await runFixed(session, p) })
        }
        for (const repeat of max) {
          const r = await runMaxRate(session, p, (dps) => progress.detail(`max-rate step ${(dps / 1000).toFixed(0)}k/s, repeat ${repeat + 1}`))
          res.maxrate.push({ peer, subs, repeat, result: r })
        }
      } finally {
        await session.close()
      }
    })
  }

  if (has('idle')) {
    const idleRepeats = p.idle.repeats ?? p.repeats
    for (const [b, block] of blocksOf(p, idleRepeats).entries()) {
      for (const peer of peersInRunOrder(p.idle.peers.filter((x) => p.peers.includes(x)), b)) {
        await guard('idle', `idle N=${p.idle.n} ${peer} rep ${block.map((r) => r + 1).join(',')}/${idleRepeats}`, { peer }, async () => {
          const results = await runIdle(peer, p, block.length)
          results.forEach((result, i) => res.idle.push({ peer, repeat: block[i]!, result }))
        })
      }
    }
  }

  if (has('rpc')) {
    const rpcRepeats = p.rpc.repeats ?? p.repeats
    for (const [b, block] of blocksOf(p, rpcRepeats).entries()) {
      for (const peer of peersInRunOrder(p.rpc.peers.filter((x) => p.peers.includes(serverOf(x))), b)) {
        await guard('rpc', `rpc ${PEERS[peer].rpc} rep ${block.map((r) => r + 1).join(',')}/${rpcRepeats}`, { peer }, async () => {
          const session = await Session.open({ peer, n: p.rpc.clients, subscribe: false, workers: p.workers, pin: p.pin, kind: PEERS[peer].rpcClient, cpuProfDir: p.cpuProfDir })
          try {
            for (const repeat of block) res.rpc.push({ peer, repeat, result: await runRpc(session, p) })
          } finally {
            await session.close()
          }
        })
      }
    }
  }

  res.durationS = (Date.now() - t0) / 1000
  progress.finish()
  return res
}
