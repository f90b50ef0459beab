/**
 * Issue 7's targets, each judged on medians measured in the same run. A target whose inputs are
 * missing (minisocket not runnable yet, a peer failed) is "not measured", never "met".
 */
import type { BenchResults, Row } from '../runner.js'
import type { WindowResult } from '../scenarios/window.js'
import { aggregateFanout, aggregateIdle, aggregateMax, aggregateRpc } from './aggregate.js'

export type Status = 'met' | 'missed' | 'not measured'
export interface TargetResult { id: string; target: string; status: Status; detail: string }

const KIB = 1024
const f1 = (x: number): string => x.toFixed(1)
const f2 = (x: number): string => x.toFixed(2)

/** Each target's rule, applied once to the medians and once to each round's cells (roundsMet). */
const cpuRule = (ours: number, preframed: number, socketio: number): boolean => ours <= 1.15 * preframed && ours < socketio
const p99Rule = (ours: number, naive: number): boolean => ours <= naive
const rpcRule = (ours: number, socketio: number): boolean => ours >= 1.5 * socketio

function judge(ok: boolean | undefined): Status {
  return ok === undefined ? 'not measured' : ok ? 'met' : 'missed'
}

export function evaluateTargets(res: BenchResults): TargetResult[] {
  const out: TargetResult[] = []
  const fan = aggregateFanout(res)
  const cell = (peer: string, subs: number): (typeof fan)[number] | undefined => fan.find((c) => c.peer === peer && c.subs === subs)
  for (const subs of res.profile.fanout.subs) {
    const atS = res.fanout.filter((r) => r.subs === subs)
    const ms = cell('minisocket', subs)?.usPerDelivery.median
    const pf = cell('ws-preframed', subs)?.usPerDelivery.median
    const io = cell('socketio', subs)?.usPerDelivery.median
    const ok = [ms, pf, io].every((x) => x !== undefined && Number.isFinite(x)) ? cpuRule(ms!, pf!, io!) : undefined
    out.push({
      id: `fanout-cpu-${subs}`,
      target: `S=${subs}: server CPU/delivery ≤ 1.15 × ws pre-framed and < socket.io`,
      status: judge(ok),
      detail: ok === undefined ? 'missing a figure' : `${f2(ms!)} µs vs ${f2(1.15 * pf!)} µs (1.15 × ${f2(pf!)}) and socket.io ${f2(io!)} µs${roundsMet(atS, ['minisocket', 'ws-preframed', 'socketio'], (r) => r.serverUsPerDelivery, cpuRule)}`,
    })
    const mp = cell('minisocket', subs)?.p99Ms.median
    const np = cell('ws-naive', subs)?.p99Ms.median
    const okP = mp !== undefined && np !== undefined && Number.isFinite(mp) && Number.isFinite(np) ? p99Rule(mp, np) : undefined
    out.push({
      id: `fanout-p99-${subs}`,
      target: `S=${subs}: p99 ≤ ws naive p99`,
      status: judge(okP),
      detail: okP === undefined ? 'missing a figure' : `${f1(mp!)} ms vs ${f1(np!)} ms${roundsMet(atS, ['minisocket', 'ws-naive'], (r) => r.latency.p99Ms, p99Rule)}${engineLimitByP99Rule(cell('ws-preframed', subs)?.p99Ms.median, np!, atS)}`,
    })
  }
  const max = aggregateMax(res)
  const m = (peer: string): number | undefined => max.find((c) => c.peer === peer && c.subs === 5000)?.maxDps.median
  const [mm, mio, mpf] = [m('minisocket'), bounded(res, 'socketio', m('socketio')), bounded(res, 'ws-preframed', m('ws-preframed'))]
  const okMax = mm !== undefined && mio !== undefined && mpf !== undefined ? mm >= 2 * mio.dps && mm >= 0.9 * mpf.dps : undefined
  const shown = (b: Bound, times: number, what: string): string => `${b.below ? '< ' : ''}${((times * b.dps) / 1000).toFixed(0)}k (${times} × ${what}${b.below ? `, which failed every step down to ${(b.dps / 1000).toFixed(1)}k` : ''})`
  out.push({
    id: 'maxrate-5000',
    target: 'S=5000: max sustainable ≥ 2 × socket.io and ≥ 0.9 × ws pre-framed',
    status: judge(okMax),
    detail: okMax === undefined ? 'missing a figure' : `${(mm! / 1000).toFixed(0)}k vs ${shown(mio!, 2, 'socket.io')} and ${shown(mpf!, 0.9, 'pre-framed')}`,
  })
  const idle = aggregateIdle(res)
  const im = idle.find((c) => c.peer === 'minisocket')?.rssPerConnKiB.median
  const iw = idle.find((c) => c.peer === 'ws-naive')?.rssPerConnKiB.median
  const okIdle = im !== undefined && iw !== undefined ? im <= 1.3 * iw : undefined
  out.push({
    id: 'idle-memory',
    target: 'Server RSS per idle connection ≤ 1.3 × raw ws',
    status: judge(okIdle),
    detail: okIdle === undefined ? 'missing a figure' : `${f2(im!)} KiB vs ${f2(1.3 * iw!)} KiB (1.3 × ${f2(iw!)})`,
  })
  const rpc = aggregateRpc(res)
  const rm = rpc.find((c) => c.peer === 'minisocket')?.roundTripsPerS.median
  const rio = rpc.find((c) => c.peer === 'socketio')?.roundTripsPerS.median
  const okRpc = rm !== undefined && rio !== undefined ? rpcRule(rm, rio) : undefined
  out.push({
    id: 'rpc',
    target: 'RPC round trips/s ≥ 1.5 × socket.io acks',
    status: judge(okRpc),
    detail: okRpc === undefined ? 'missing a figure' : `${(rm! / 1000).toFixed(1)}k vs ${(1.5 * rio! / 1000).toFixed(1)}k (1.5 × ${(rio! / 1000).toFixed(1)}k)${roundsMet(res.rpc, ['minisocket', 'socketio'], (r) => r.roundTripsPerS, rpcRule)}${engineLimitByRpcRule(rpc.find((c) => c.peer === 'ws-naive')?.roundTripsPerS.median, rio!, res.rpc)}`,
  })
  const ours = res.sizes.filter((s) => s.kind === 'minisocket' && s.target !== 'none')
  if (ours.length === 0) out.push({ id: 'size', target: 'Client entries: core/browser ≤ 6 KiB gz, mini-program ≤ 8 KiB gz', status: 'not measured', detail: 'no client entry measured' })
  for (const s of ours) {
    const limit = s.target === 'core' ? 6 : 8
    out.push({
      id: `size-${s.name}`,
      target: `${s.name} ≤ ${limit} KiB min+gzip`,
      status: s.error ? 'not measured' : judge(s.gzipBytes <= limit * KIB),
      detail: s.error ? `build failed: ${s.error}` : `${f2(s.gzipBytes / KIB)} KiB`,
    })
  }
  return out
}

/**
 * A second view of a target the medians judge: in how many rounds its cells alone would meet
 * it. A round is one repeat index; in the full profile its peers ran back to back, so its cells
 * mostly share the VM's state, whose slow spells last minutes and move whole rounds
 * (bench/analysis.md). Shown beside the verdict, never instead of it. `rule` gets each round's
 * `figure` of `peers`, in that order. A round missing one of `peers` is left out; with none
 * left the text is empty.
 */
export function roundsMet<R>(rows: ReadonlyArray<Row<R>>, peers: readonly string[], figure: (result: R) => number, rule: (...figures: number[]) => boolean): string {
  const c = countRounds(rows, peers, figure, rule)
  return c.rounds === 0 ? '' : `; met in ${c.met} of ${c.rounds} rounds`
}

function countRounds<R>(rows: ReadonlyArray<Row<R>>, peers: readonly string[], figure: (result: R) => number, rule: (...figures: number[]) => boolean): { met: number; rounds: number } {
  const byRepeat = new Map<number, Map<string, R>>()
  for (const r of rows) {
    if (!peers.includes(r.peer)) continue
    let round = byRepeat.get(r.repeat)
    if (round === undefined) byRepeat.set(r.repeat, (round = new Map()))
    round.set(r.peer, r.result)
  }
  let rounds = 0
  let met = 0
  for (const round of byRepeat.values()) {
    if (round.size !== peers.length) continue
    rounds++
    if (rule(...peers.map((peer) => figure(round.get(peer)!)))) met++
  }
  return { met, rounds }
}

/**
 * The p99 rule applied to ws pre-framed, the engine's limit, as a yardstick: when the limit
 * itself meets "no worse than naive ws" in only about half the rounds, the receivers set the
 * latency and the target cannot tell servers apart in that cell (bench/analysis.md). Shown
 * beside our verdict, never instead of it; empty without a pre-framed figure.
 */
function engineLimitByP99Rule(preframed: number | undefined, naive: number, atS: ReadonlyArray<Row<WindowResult>>): string {
  if (preframed === undefined || !Number.isFinite(preframed)) return ''
  return engineLimit('ws pre-framed', `${f1(preframed)} ms`, p99Rule(preframed, naive), countRounds(atS, ['ws-preframed', 'ws-naive'], (r) => r.latency.p99Ms, p99Rule))
}

/**
 * The RPC rule applied to ws echo, as a yardstick: each closed loop is bound by its own client
 * library on the load generator's core as much as by its server (bench/analysis.md), and ws
 * echo with a bare `ws` client is as far as a `ws`-based server and client go. Where it misses
 * 1.5 × socket.io itself, or meets it in about half the rounds, the VM's cost of a loopback
 * write, the same for every peer, has squeezed the ratio (the AMD EPYC VMs) and no server change
 * reaches the target in that run. Shown beside our verdict, never instead of it.
 */
function engineLimitByRpcRule(echo: number | undefined, socketio: number, rows: BenchResults['rpc']): string {
  if (echo === undefined || !Number.isFinite(echo)) return ''
  return engineLimit('ws echo', `${(echo / 1000).toFixed(1)}k`, rpcRule(echo, socketio), countRounds(rows, ['ws-naive', 'socketio'], (r) => r.roundTripsPerS, rpcRule))
}

function engineLimit(peer: string, figure: string, met: boolean, c: { met: number; rounds: number }): string {
  return `; by the same rule ${peer} (the engine's limit): ${figure}, ${met ? 'met' : 'missed'}${c.rounds === 0 ? '' : ` (met in ${c.met} of ${c.rounds} rounds)`}`
}

/** A peer's maximum rate at S = 5000, or, when it passed no step, the bound its failures prove. */
interface Bound {
  dps: number
  /** True when the peer failed every step tried: its maximum is below `dps`. */
  below: boolean
}

/**
 * A peer that failed every step down to the lowest one tried, in every repeat, sustains less
 * than that step (the criteria only get harder at higher rates); that is a yardstick, not a
 * missing figure. The highest such lowest step over the repeats is the bound: the loosest one.
 */
function bounded(res: BenchResults, peer: string, median: number | undefined): Bound | undefined {
  if (median === undefined) return undefined
  if (median > 0) return { dps: median, below: false }
  const rows = res.maxrate.filter((r) => r.peer === peer && r.subs === 5000).map((r) => r.result)
  if (rows.length === 0 || rows.some((r) => r.maxDps > 0 || r.steps.length === 0)) return undefined
  return { dps: Math.max(...rows.map((r) => Math.min(...r.steps.map((s) => s.offeredDps)))), below: true }
}
