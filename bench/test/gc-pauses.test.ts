/**
 * The GC-pause diagnostic tells a full collection from a scavenge: a forced full GC counts as a
 * major pause, and short-lived garbage alone adds minor ones only.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { watchGcPauses, type GcPauses } from '../src/gc-pauses.js'

setFlagsFromString('--expose-gc')
const fullGc = runInNewContext('gc') as () => void

/** PerformanceObserver reports asynchronously: wait (bounded) until `ready` holds. */
async function until(gc: GcPauses, ready: (g: GcPauses) => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ready(gc); i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

test('a forced full GC counts as a major pause', { timeout: 10_000 }, async () => {
  const gc = watchGcPauses()
  fullGc()
  await until(gc, (g) => g.majorCount > 0)
  assert.ok(gc.majorCount >= 1, JSON.stringify(gc))
  assert.ok(gc.count >= gc.majorCount && gc.ms >= gc.majorMs && gc.majorMs > 0, JSON.stringify(gc))
})

test('short-lived garbage brings scavenges, which are not counted as major', { timeout: 10_000 }, async () => {
  const gc = watchGcPauses()
  let keep = 0
  // About 200 MB of short-lived objects: many times the young generation, so scavenges run.
  for (let i = 0; i < 2_000_000 && gc.count - gc.majorCount < 3; i++) {
    const o = { i, s: `x${i}`, a: [i, i + 1, i + 2] }
    keep += o.a.length
    if (i % 100_000 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
  await until(gc, (g) => g.count - g.majorCount > 0)
  assert.ok(keep > 0)
  assert.ok(gc.count - gc.majorCount > 0, `no scavenge counted: ${JSON.stringify(gc)}`)
})
