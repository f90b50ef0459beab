/** The one-timer alarm behind the watchdog, the outbox age-out and the request deadlines. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createAlarm } from '../../src/core/alarm.js'

test('an alarm rings once at its time; setting it again moves it; Infinity stops it', () => {
  const clock = new FakeClock(0)
  const rang: number[] = []
  const alarm = createAlarm(clock, () => rang.push(clock.now()))
  assert.equal(alarm.due, Infinity)
  alarm.set(100)
  alarm.set(50) // moved earlier: the 100 ms timer is gone, not left behind
  assert.equal(clock.pending, 1)
  clock.advance(200)
  assert.deepEqual(rang, [50])
  assert.equal(alarm.due, Infinity)
  alarm.set(300)
  alarm.set(Infinity)
  assert.equal(clock.pending, 0)
  clock.advance(500)
  assert.deepEqual(rang, [50])
})

test('an alarm set for a time already passed rings at once; it may set itself again while ringing', () => {
  const clock = new FakeClock(1_000)
  const rang: number[] = []
  const alarm = createAlarm(clock, () => {
    rang.push(clock.now())
    if (rang.length < 3) alarm.set(clock.now() + 10)
  })
  alarm.set(500)
  clock.advance(0)
  assert.deepEqual(rang, [1_000])
  clock.advance(100)
  assert.deepEqual(rang, [1_000, 1_010, 1_020])
  assert.equal(clock.pending, 0)
})
