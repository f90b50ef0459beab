// Hand-made histories, one per property, each built to violate exactly that property: every check
// is shown able to fail, and shown quiet on the allowed variant next to it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkHistory } from '../src/history-checker.js'
import type { ClientEvent, Publication } from '../src/history-types.js'
import { checkIdempotency } from '../src/idempotency-check.js'
import { formatHistoryReport } from '../src/history-report.js'

const pub = (offset: number, epoch = 'e1', channel = 'news', seq = offset, publisher = 'p'): Publication => ({ channel, epoch, offset, publisher, seq })
const sub = (recovered: boolean, epoch = 'e1', offset?: number, channel = 'news'): ClientEvent =>
  ({ kind: 'subscribed', channel, recovered, epoch, ...(offset === undefined ? {} : { offset }) })
const got = (p: Publication): ClientEvent => ({ kind: 'delivery', ...p })
const range = (a: number, b: number, epoch = 'e1'): Publication[] => Array.from({ length: b - a + 1 }, (_, i) => pub(a + i, epoch))
const run = (acknowledged: Publication[], ...clients: ClientEvent[][]) =>
  checkHistory({ acknowledged, clients: clients.map((events, i) => ({ client: `c${i + 1}`, events })) })

test('the doc example passes', () => {
  const p = pub(1)
  assert.equal(run([p], [sub(false, 'e1', 0), got(p)]).ok, true)
})

test('a clean run with a successful recovery passes and counts its subscribes', () => {
  const r = run(range(1, 5), [sub(false, 'e1', 0), got(pub(1)), got(pub(2)), sub(true, 'e1', 4), got(pub(3)), got(pub(4)), got(pub(5))])
  assert.equal(r.ok, true, r.problems.join('\n'))
  assert.deepEqual(r.subscribes, { first: 1, recoveredTrue: 1, recoveredFalse: 0 })
  assert.equal(r.deliveries, 5)
  assert.deepEqual(r.problems, [])
})

test('I1: an acknowledged publication never delivered is missing', () => {
  const r = run(range(1, 3), [sub(false, 'e1', 0), got(pub(1)), got(pub(3))])
  assert.equal(r.ok, false)
  assert.deepEqual(r.missing.map((m) => [m.client, m.offset]), [['c1', 2]])
  assert.match(r.problems[0]!, /missing: c1 never got news@e1:2/)
})

test('I1: publications before the client subscribed are not expected', () => {
  assert.equal(run(range(1, 7), [sub(false, 'e1', 5), got(pub(6)), got(pub(7))]).ok, true)
})

test('I1: recovered:false excuses exactly the range it covers (with and without offset)', () => {
  const withOffset = run(range(1, 4), [sub(false, 'e1', 0), got(pub(1)), sub(false, 'e1', 3), got(pub(4))])
  assert.equal(withOffset.ok, true)
  assert.equal(withOffset.excused, 2)
  const fromNextDelivery = run(range(1, 4), [sub(false, 'e1', 0), got(pub(1)), sub(false, 'e1'), got(pub(4))])
  assert.equal(fromNextDelivery.ok, true)
  assert.equal(fromNextDelivery.excused, 2)
  // The excuse stops at the reported top (3): offset 4 after it is still owed.
  const beyond = run(range(1, 5), [sub(false, 'e1', 0), got(pub(1)), sub(false, 'e1', 3), got(pub(5))])
  assert.deepEqual(beyond.missing.map((m) => m.offset), [4])
  assert.equal(beyond.excused, 2)
})

test('I1: recovered:false into a new epoch excuses the rest of the old epoch only', () => {
  const [n1, n2] = [pub(1, 'e2', 'news', 11), pub(2, 'e2', 'news', 12)] // seq is unique per publisher
  const acked = [pub(1), pub(2), n1, n2]
  const ok = run(acked, [sub(false, 'e1', 0), got(pub(1)), sub(false, 'e2', 0), got(n1), got(n2)])
  assert.equal(ok.ok, true, ok.problems.join('\n'))
  assert.equal(ok.excused, 1)
  const bad = run(acked, [sub(false, 'e1', 0), got(pub(1)), sub(false, 'e2', 0), got(n2)])
  assert.deepEqual(bad.missing.map((m) => `${m.epoch}:${m.offset}`), ['e2:1'])
})

test('I1: unsubscribe excuses what follows, a later subscribe bounds the excuse', () => {
  const events: ClientEvent[] = [sub(false, 'e1', 0), got(pub(1)), { kind: 'unsubscribed', channel: 'news' }, sub(false, 'e1', 3), got(pub(5))]
  const r = run(range(1, 5), events)
  assert.equal(r.excused, 2)
  assert.deepEqual(r.missing.map((m) => m.offset), [4])
  assert.equal(r.subscribes.first, 2)
})

test('I4: recovered:true whose replay skips an offset is a hidden gap (even if that offset was never acked)', () => {
  const r = run([pub(1), pub(3)], [sub(false, 'e1', 0), got(pub(1)), sub(true, 'e1', 3), got(pub(3))])
  assert.equal(r.ok, false)
  assert.deepEqual(r.hiddenGaps.map((g) => [g.kind, g.missingOffsets]), [['gap', [2]]])
  assert.deepEqual(r.missing, [])
  const noOffset = run([pub(1), pub(3)], [sub(false, 'e1', 0), got(pub(1)), sub(true, 'e1'), got(pub(3))])
  assert.deepEqual(noOffset.hiddenGaps[0]?.missingOffsets, [2])
  const tail = run([pub(1)], [sub(false, 'e1', 0), got(pub(1)), sub(true, 'e1', 4), got(pub(2)), got(pub(3))])
  assert.deepEqual(tail.hiddenGaps[0]?.missingOffsets, [4], 'the replay must reach the reported top')
})

test('I4: recovered:true across an epoch change is a violation and excuses nothing', () => {
  const n1 = pub(1, 'e2', 'news', 11)
  const r = run([pub(1), pub(2), n1], [sub(false, 'e1', 0), got(pub(1)), sub(true, 'e2', 0), got(n1)])
  assert.deepEqual(r.hiddenGaps.map((g) => g.kind), ['epochChanged'])
  assert.deepEqual(r.missing.map((m) => `${m.epoch}:${m.offset}`), ['e1:2'])
  assert.deepEqual(r.duplicatesAfterDedupe, [])
})

test('I2: redelivery of a position is counted but allowed; one publication at two positions is not', () => {
  const dup = run(range(1, 2), [sub(false, 'e1', 0), got(pub(1)), got(pub(1)), got(pub(2)), got(pub(2))])
  assert.equal(dup.ok, true)
  assert.equal(dup.duplicatesBeforeDedupe, 2)
  const twice = pub(2, 'e1', 'news', 1) // publisher p, seq 1 stored again at offset 2 (a retried publish)
  const after = run([pub(1)], [sub(false, 'e1', 0), got(pub(1)), got(twice)])
  assert.equal(after.ok, false)
  assert.deepEqual(after.duplicatesAfterDedupe.map((d) => [d.client, d.positions]), [['c1', ['news@e1:1', 'news@e1:2']]])
  const acked = run([pub(1), twice], [])
  assert.deepEqual(acked.duplicatesAfterDedupe.map((d) => d.client), [null])
})

test('I3: order violations: backwards, wrong epoch, delivery without subscription', () => {
  const back = run(range(1, 2), [sub(false, 'e1', 0), got(pub(2)), got(pub(1))])
  assert.deepEqual(back.orderViolations.map((o) => [o.kind, o.offset, o.after]), [['backwards', 1, 'e1:2']])
  const stale = run([], [sub(false, 'e1', 0), got(pub(1)), sub(false, 'e2', 0), got(pub(2))])
  assert.deepEqual(stale.orderViolations.map((o) => o.kind), ['wrongEpoch'])
  const early = run([], [got(pub(1))])
  assert.deepEqual(early.orderViolations.map((o) => o.kind), ['notSubscribed'])
  const beforeStart = run([], [sub(false, 'e1', 5), got(pub(5))])
  assert.deepEqual(beforeStart.orderViolations.map((o) => o.kind), ['backwards'])
  assert.equal(run(range(1, 2), [sub(false, 'e1', 0), got(pub(1)), got(pub(2))]).orderViolations.length, 0)
})

test('channels are independent: order and expectations per channel', () => {
  const a1 = pub(1, 'e1', 'a')
  const b1 = pub(1, 'e1', 'b', 100)
  const r = run([a1, b1], [sub(false, 'e1', 0, 'a'), sub(false, 'e1', 0, 'b'), got(b1), got(a1)])
  assert.equal(r.ok, true, r.problems.join('\n'))
  const missB = run([a1, b1], [sub(false, 'e1', 0, 'a'), sub(false, 'e1', 0, 'b'), got(a1)])
  assert.deepEqual(missB.missing.map((m) => m.channel), ['b'])
})

test('conflicts: a delivery differing from the ack at its position, and two acks for one position', () => {
  const r = run([pub(1)], [sub(false, 'e1', 0), got(pub(1, 'e1', 'news', 99))])
  assert.deepEqual(r.conflicts.map((c) => [c.client, c.expected, c.got]), [['c1', 'p#1', 'p#99']])
  const acks = run([pub(1), pub(1, 'e1', 'news', 2, 'q')], [])
  assert.deepEqual(acks.conflicts.map((c) => c.client), [null])
  assert.equal(acks.ok, false)
})

test('I5: one history entry per idempotency key', () => {
  const entries = [{ key: 'k1' }, { key: 'k1' }, { key: 'k2' }, {}]
  const r = checkIdempotency({ keys: ['k1', 'k2', 'k3', 'k2'], entries, keyOf: (e: { key?: string }) => e.key })
  assert.deepEqual(r, { ok: false, missing: ['k3'], duplicated: [{ key: 'k1', count: 2 }] })
  assert.equal(checkIdempotency({ keys: ['k1', 'k1'], entries: [{ key: 'k1' }], keyOf: (e) => e.key }).ok, true)
  const inHistory = checkHistory({ acknowledged: [], clients: [], idempotency: { keys: ['a'], entries: ['a', 'a'], keyOf: (e) => e as string } })
  assert.equal(inHistory.ok, false)
  assert.match(inHistory.problems.join('\n'), /key a has 2 history entries/)
  assert.throws(() => checkIdempotency({ keys: 'k' as never, entries: [], keyOf: () => undefined }), /expected \{ keys/)
})

test('malformed input is a TypeError naming the field', () => {
  assert.throws(() => run([{ ...pub(1), offset: -1 }]), /acknowledged\[0\]\.offset must be a non-negative safe integer, got -1/)
  assert.throws(() => run([], [{ kind: 'delivery', ...pub(1), seq: '1' as never }]), /clients\[0\]\.events\[0\]\.seq/)
  assert.throws(() => run([], [{ kind: 'nope', channel: 'x' } as never]), /events\[0\]\.kind must be/)
  assert.throws(() => run([], [sub('yes' as never)]), /recovered must be a boolean/)
  assert.throws(() => checkHistory(null as never), /input must be/)
})

test('problems are capped at 100 lines plus a count', () => {
  const r = run(range(1, 300), [sub(false, 'e1', 0)])
  assert.equal(r.missing.length, 300)
  assert.equal(r.problems.length, 101)
  assert.equal(r.problems[100], '... and 200 more')
})

test('formatHistoryReport: one line of figures, OK or FAIL first', () => {
  const ok = formatHistoryReport(run(range(1, 2), [sub(false, 'e1', 0), got(pub(1)), got(pub(1)), got(pub(2))]))
  assert.equal(ok, 'OK acknowledged=2 deliveries=3 missing=0 excused=0 dup-before=1 dup-after=0 order=0 hidden-gaps=0 conflicts=0 subscribes=1 recovered-true=0 recovered-false=0')
  assert.match(formatHistoryReport(run(range(1, 2), [sub(false, 'e1', 0)])), /^FAIL .* missing=2 /)
})
