/**
 * The publisher's schedule check (servers/schedule.ts). Times are given, not taken: no clock.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PublishSchedule } from '../servers/schedule.js'

const interval = 100_000 // 10 publications/s, in µs

test('a publication that starts on time is not late, however long its own fan-out takes', () => {
  const s = new PublishSchedule(0, interval, 3)
  // Each publish call fans out for 90 ms; the next one still starts on its slot.
  for (let i = 0; i < 3; i++) s.started(i, i * interval)
  assert.equal(s.lastLagMs, 0)
  assert.equal(s.maxLagMs, 0)
})

test('a publisher that fell behind and stayed behind shows it in the last lag', () => {
  const s = new PublishSchedule(0, interval, 3)
  s.started(0, 0)
  s.started(1, interval + 150_000) // a 150 ms burst delayed it
  s.started(2, 2 * interval + 180_000)
  assert.equal(s.lastLagMs, 180)
  assert.equal(s.maxLagMs, 180)
})

test('a hiccup the publisher caught up from shows in the max lag only', () => {
  const s = new PublishSchedule(0, interval, 3)
  s.started(0, 0)
  s.started(1, interval + 70_000)
  s.started(2, 2 * interval + 500)
  assert.equal(s.lastLagMs, 0.5)
  assert.equal(s.maxLagMs, 70)
})

test('due counts the publications whose start time has come, at most the total', () => {
  const s = new PublishSchedule(1_000, interval, 5)
  assert.equal(s.due(1_000), 1)
  assert.equal(s.due(1_000 + interval - 1), 1)
  assert.equal(s.due(1_000 + interval), 2)
  assert.equal(s.due(1_000 + 100 * interval), 5)
})
