// Property tests: histories from a model of a correct system pass; each kind of corruption of
// such a history is caught. Seeds are fixed (fast-check prints the failing seed and path).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { checkHistory } from '../src/history-checker.js'
import type { ClientEvent, ClientHistory } from '../src/history-types.js'
import { simulate, stepArb } from './history-sim.js'

const runs = { numRuns: 400, seed: 20261122 }
const scripts = fc.array(stepArb, { minLength: 1, maxLength: 60 })

function replaceEvents(clients: ClientHistory[], index: number, events: ClientEvent[]): ClientHistory[] {
  return clients.map((c, i) => (i === index ? { ...c, events } : c))
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

test('property: histories of a correct system pass, with recoveries of both kinds exercised', () => {
  let recoveredTrue = 0
  let recoveredFalse = 0
  let dupes = 0
  fc.assert(fc.property(scripts, (steps) => {
    const report = checkHistory(simulate(steps))
    assert.equal(report.ok, true, report.problems.join('\n'))
    recoveredTrue += report.subscribes.recoveredTrue
    recoveredFalse += report.subscribes.recoveredFalse
    dupes += report.duplicatesBeforeDedupe
  }), runs)
  // The generator must reach the interesting paths, or the property proves little.
  assert.ok(recoveredTrue > 100 && recoveredFalse > 100 && dupes > 10, `true=${recoveredTrue} false=${recoveredFalse} dupes=${dupes}`)
})

test('property: the checker is pure (frozen input, same report twice)', () => {
  fc.assert(fc.property(scripts, (steps) => {
    const input = deepFreeze(simulate(steps))
    assert.deepEqual(checkHistory(input), checkHistory(input))
  }), { ...runs, numRuns: 100 })
})

test('property: losing one acknowledged delivery is caught unless recovered:false follows it', () => {
  fc.assert(fc.property(scripts, fc.nat(), fc.nat(), (steps, pickClient, pickEvent) => {
    const { acknowledged, clients } = simulate(steps)
    const ci = pickClient % clients.length
    const events = [...clients[ci]!.events]
    const ackedKeys = new Set(acknowledged.map((p) => `${p.channel}/${p.epoch}/${p.offset}`))
    const key = (e: ClientEvent): string => (e.kind === 'delivery' ? `${e.channel}/${e.epoch}/${e.offset}` : '')
    const candidates = events.flatMap((e, i) => {
      if (e.kind !== 'delivery' || !ackedKeys.has(key(e))) return []
      if (events.filter((x) => key(x) === key(e)).length !== 1) return []
      const next = events.slice(i + 1).find((x) => x.channel === e.channel)
      return next?.kind === 'subscribed' && !next.recovered ? [] : [i]
    })
    fc.pre(candidates.length > 0)
    const victim = candidates[pickEvent % candidates.length]!
    events.splice(victim, 1)
    const report = checkHistory({ acknowledged, clients: replaceEvents(clients, ci, events) })
    assert.equal(report.ok, false)
    assert.ok(report.missing.length + report.hiddenGaps.length > 0)
  }), runs)
})

test('property: redelivering any publication later is counted and tolerated', () => {
  fc.assert(fc.property(scripts, fc.nat(), fc.nat(), fc.nat(), (steps, pickClient, pickEvent, pickPlace) => {
    const { acknowledged, clients } = simulate(steps)
    const ci = pickClient % clients.length
    const events = [...clients[ci]!.events]
    const deliveries = events.flatMap((e, i) => (e.kind === 'delivery' ? [i] : []))
    fc.pre(deliveries.length > 0)
    const from = deliveries[pickEvent % deliveries.length]!
    const at = from + 1 + (pickPlace % (events.length - from))
    events.splice(at, 0, events[from]!)
    const before = checkHistory({ acknowledged, clients })
    const after = checkHistory({ acknowledged, clients: replaceEvents(clients, ci, events) })
    assert.equal(after.ok, true, after.problems.join('\n'))
    assert.equal(after.duplicatesBeforeDedupe, before.duplicatesBeforeDedupe + 1)
  }), runs)
})

test('property: swapping two consecutive deliveries of one channel and epoch is an order violation', () => {
  fc.assert(fc.property(scripts, fc.nat(), fc.nat(), (steps, pickClient, pickPair) => {
    const { acknowledged, clients } = simulate(steps)
    const ci = pickClient % clients.length
    const events = [...clients[ci]!.events]
    const pairs: [number, number][] = []
    events.forEach((e, i) => {
      const j = events.findIndex((x, k) => k > i && x.channel === e.channel)
      const n = events[j]
      // A redelivered position is a duplicate wherever it lands, not an order violation: skip those.
      const firstSeen = e.kind === 'delivery' && !events.slice(0, i).some((x) => x.kind === 'delivery' && x.channel === e.channel && x.epoch === e.epoch && x.offset === e.offset)
      if (firstSeen && n?.kind === 'delivery' && n.epoch === e.epoch && n.offset > e.offset) pairs.push([i, j])
    })
    fc.pre(pairs.length > 0)
    const [i, j] = pairs[pickPair % pairs.length]!
    ;[events[i], events[j]] = [events[j]!, events[i]!]
    const report = checkHistory({ acknowledged, clients: replaceEvents(clients, ci, events) })
    assert.ok(report.orderViolations.some((o) => o.kind === 'backwards'), report.problems.join('\n'))
  }), runs)
})

test('property: a recovered:true result moved to another epoch is flagged', () => {
  fc.assert(fc.property(scripts, fc.nat(), fc.nat(), (steps, pickClient, pickEvent) => {
    const { acknowledged, clients } = simulate(steps)
    const ci = pickClient % clients.length
    const events = [...clients[ci]!.events]
    const recoveries = events.flatMap((e, i) => (e.kind === 'subscribed' && e.recovered ? [i] : []))
    fc.pre(recoveries.length > 0)
    const at = recoveries[pickEvent % recoveries.length]!
    events[at] = { ...(events[at] as Extract<ClientEvent, { kind: 'subscribed' }>), epoch: 'forged' }
    const report = checkHistory({ acknowledged, clients: replaceEvents(clients, ci, events) })
    assert.ok(report.hiddenGaps.some((g) => g.kind === 'epochChanged'))
  }), runs)
})
