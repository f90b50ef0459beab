import assert from 'node:assert/strict'
import { test } from 'node:test'
import { seededRandom } from '../helpers/fake-adapter.js'
import { backoffDelay } from '../../src/core/backoff.js'

test('bounds: retry n waits within [min, min(max, min·2^(n+1))] for random at both ends', () => {
  for (let n = 0; n < 60; n++) {
    const ceiling = Math.min(20_000, 500 * 2 ** (n + 1))
    assert.equal(backoffDelay(n, { random: () => 0 }), 500, `n=${n} low`)
    assert.equal(backoffDelay(n, { random: () => 0.999999 }), Math.round(500 + 0.999999 * (ceiling - 500)), `n=${n} high`)
    assert.ok(backoffDelay(n, { random: () => 0.999999 }) <= 20_000)
  }
})

test('custom min/max; max below min is raised to min', () => {
  assert.equal(backoffDelay(10, { min: 100, max: 1_000, random: () => 1 }), 1_000)
  assert.equal(backoffDelay(0, { min: 100, max: 1_000, random: () => 1 }), 200)
  assert.equal(backoffDelay(5, { min: 2_000, max: 10, random: () => 1 }), 2_000)
})

test('full jitter: delays spread over the whole window (no clustering)', () => {
  const random = seededRandom(7)
  const n = 4 // window [500, 16000]
  const buckets = new Array(10).fill(0)
  const samples = 5_000
  for (let i = 0; i < samples; i++) {
    const d = backoffDelay(n, { random })
    assert.ok(d >= 500 && d <= 16_000)
    buckets[Math.min(9, Math.floor(((d - 500) / 15_500) * 10))]++
  }
  for (const b of buckets) assert.ok(b > samples / 10 / 2 && b < (samples / 10) * 1.5, `bucket ${b} far from uniform`)
})

test('the default random is read at call time, not captured at import', () => {
  const original = Math.random
  try {
    Math.random = () => 0
    assert.equal(backoffDelay(3), 500)
    Math.random = () => 0.5
    assert.equal(backoffDelay(0), 750)
  } finally {
    Math.random = original
  }
})
