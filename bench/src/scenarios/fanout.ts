/**
 * Fan-out: S subscribers of one channel. In each session, first the fixed-rate windows
 * (50,000 deliveries/s offered), then, when asked, the max-rate search on the same connections.
 * The max-rate search climbs by `factor` from `startDps` until a step fails the criteria of
 * judge(), optionally refines once between the last pass and the first failure, and is bounded
 * by `maxSteps`. When even `startDps` fails it steps down by factor² (to startDps / 8 at most).
 */
import { sleep } from '../clock.js'
import type { Profile } from '../config.js'
import type { Session } from '../session.js'
import { runWindow, type WindowResult } from './window.js'

export interface MaxRateResult {
  subs: number
  maxDps: number
  /** The passing step at the maximum (its latency and CPU), if any passed. */
  atMax: WindowResult | undefined
  firstFailure: WindowResult | undefined
  steps: Array<{ offeredDps: number; passed: boolean; failures: string[] }>
}

/** After a failed step the connections may still be flushing: wait until deliveries stop. */
async function waitQuiet(session: Session, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs
  let last = -1
  while (Date.now() < end) {
    const counts = await session.all({ cmd: 'count' })
    const total = counts.reduce((a, c) => a + Number(c['total']), 0)
    if (total === last) return
    last = total
    await sleep(300)
  }
}

export async function runFixed(session: Session, p: Profile): Promise<WindowResult> {
  return runWindow(session, p.fanout.offeredDps, p.fanout.window, p.payloadPad)
}

export async function runMaxRate(session: Session, p: Profile, onStep: (dps: number) => void): Promise<MaxRateResult> {
  const m = p.maxrate
  const steps: MaxRateResult['steps'] = []
  let best: WindowResult | undefined
  let firstFailure: WindowResult | undefined
  let dps = m.startDps
  const tryStep = async (offered: number): Promise<boolean> => {
    onStep(offered)
    const r = await runWindow(session, offered, m.window, p.payloadPad)
    const passed = r.failures.length === 0
    steps.push({ offeredDps: Math.round(offered), passed, failures: r.failures })
    if (passed) { if (!best || offered > best.offeredDps) best = r }
    else {
      if (!firstFailure || offered < firstFailure.offeredDps) firstFailure = r
      await waitQuiet(session, Math.min(10_000, 3 * m.window.durationMs))
    }
    return passed
  }
  while (steps.length < m.maxSteps) {
    if (!(await tryStep(dps))) break
    dps *= m.factor
  }
  // The start rate itself failed: step down (to 1/8 of it at most) so the cell still gets a figure.
  // (0.99: factor² is 2.0000000000000004 for √2, which left startDps / 8 itself untried.)
  for (let down = m.startDps / m.factor ** 2; !best && down >= (0.99 * m.startDps) / 8 && steps.length < m.maxSteps; down /= m.factor ** 2) {
    await tryStep(down)
  }
  if (m.refine && best && firstFailure && steps.length < m.maxSteps) {
    const mid = best.offeredDps * Math.sqrt(m.factor)
    if (mid < firstFailure.offeredDps) await tryStep(mid)
  }
  return { subs: session.connect?.connected ?? 0, maxDps: best?.offeredDps ?? 0, atMax: best, firstFailure, steps }
}
