import type {
  ClientHistory, DeliveryEvent, DuplicateAfterDedupe, HistoryInput, HistoryReport, OrderViolation, Publication, SubscribedEvent,
} from './history-types.js'
import { checkIdempotency } from './idempotency-check.js'
import { validateInput } from './history-validate.js'

/** Per epoch the client entered: where it started (undefined until known) and how far it got. */
interface EpochEntry {
  start: number | undefined
  max: number | undefined
}

/** Offsets (from, to] of one epoch the client was told it may miss (`recovered: false`, unsubscribe). */
interface Excuse {
  epoch: string
  from: number
  to: number
  /** `to` still waits for the first delivery after a result without `offset`. */
  open: boolean
}

/** After `recovered: true`: the replay must cover (from, to] before the next subscribe result. */
interface RecoveryWindow {
  epoch: string
  from: number
  to: number | undefined
  offsets: Set<number>
}

/** What one client knows about one channel while its events are replayed. */
interface ChannelTrack {
  subscribed: boolean
  epoch: string | undefined
  /** The current epoch's start is to be taken from the next delivery. */
  pendingStart: boolean
  entries: Map<string, EpochEntry>
  excuses: Excuse[]
  window: RecoveryWindow | undefined
  seen: Set<string>
}

const MAX_GAP_SCAN = 100_000
const MAX_PROBLEMS = 100
const pos = (p: { channel: string; epoch: string; offset: number }): string => `${p.channel}@${p.epoch}:${p.offset}`
const posKey = (epoch: string, offset: number): string => `${epoch}\u0000${offset}`
const pubId = (p: { publisher: string; seq: number }): string => `${p.publisher}#${p.seq}`

/**
 * Judges a run against the delivery guarantees (DESIGN.md G1–G6, battery invariants I1–I5).
 * Pure: no I/O, no clock. Throws a TypeError naming the bad field on malformed input.
 *
 * @example
 * const pub = { channel: 'news', epoch: 'e1', offset: 1, publisher: 'p', seq: 1 }
 * const report = checkHistory({
 *   acknowledged: [pub],
 *   clients: [{ client: 'c1', events: [
 *     { kind: 'subscribed', channel: 'news', recovered: false, epoch: 'e1', offset: 0 },
 *     { kind: 'delivery', ...pub },
 *   ] }],
 * })
 * report.ok // true
 */
export function checkHistory(input: HistoryInput): HistoryReport {
  validateInput(input)
  const report: HistoryReport = {
    ok: false, acknowledged: input.acknowledged.length, deliveries: 0, missing: [], excused: 0, duplicatesBeforeDedupe: 0,
    duplicatesAfterDedupe: [], orderViolations: [], hiddenGaps: [], conflicts: [],
    subscribes: { first: 0, recoveredTrue: 0, recoveredFalse: 0 }, idempotency: undefined, problems: [],
  }
  const acked = indexAcknowledged(input.acknowledged, report)
  for (const history of input.clients) checkClient(history, acked, report)
  if (input.idempotency) report.idempotency = checkIdempotency(input.idempotency)
  report.problems = describe(report)
  report.ok = report.missing.length === 0 && report.duplicatesAfterDedupe.length === 0 && report.orderViolations.length === 0
    && report.hiddenGaps.length === 0 && report.conflicts.length === 0 && (report.idempotency?.ok ?? true)
  return report
}

/** Acknowledged publications by channel → position; flags two acks for one position or one publication twice. */
function indexAcknowledged(list: readonly Publication[], report: HistoryReport): Map<string, Map<string, Publication>> {
  const byChannel = new Map<string, Map<string, Publication>>()
  const positions = new Map<string, Set<string>>()
  for (const p of list) {
    let channel = byChannel.get(p.channel)
    if (!channel) byChannel.set(p.channel, (channel = new Map()))
    const key = posKey(p.epoch, p.offset)
    const prior = channel.get(key)
    if (prior && pubId(prior) !== pubId(p)) {
      report.conflicts.push({ client: null, channel: p.channel, epoch: p.epoch, offset: p.offset, expected: pubId(prior), got: pubId(p) })
    }
    if (!prior) channel.set(key, p)
    addPosition(positions, pubId(p), pos(p))
  }
  report.duplicatesAfterDedupe.push(...duplicates(positions, null))
  return byChannel
}

function addPosition(map: Map<string, Set<string>>, id: string, position: string): void {
  let set = map.get(id)
  if (!set) map.set(id, (set = new Set()))
  set.add(position)
}

function duplicates(positions: Map<string, Set<string>>, client: string | null): DuplicateAfterDedupe[] {
  const out: DuplicateAfterDedupe[] = []
  for (const [id, set] of positions) {
    if (set.size < 2) continue
    const at = id.lastIndexOf('#')
    out.push({ client, publisher: id.slice(0, at), seq: Number(id.slice(at + 1)), positions: [...set] })
  }
  return out
}

function checkClient(history: ClientHistory, acked: Map<string, Map<string, Publication>>, report: HistoryReport): void {
  const tracks = new Map<string, ChannelTrack>()
  const positions = new Map<string, Set<string>>()
  const track = (channel: string): ChannelTrack => {
    let t = tracks.get(channel)
    if (!t) tracks.set(channel, (t = { subscribed: false, epoch: undefined, pendingStart: false, entries: new Map(), excuses: [], window: undefined, seen: new Set() }))
    return t
  }
  for (const event of history.events) {
    const t = track(event.channel)
    if (event.kind === 'delivery') onDelivery(history.client, t, event, acked, positions, report)
    else {
      closeWindow(history.client, event.channel, t, report)
      if (event.kind === 'unsubscribed') {
        leave(t, true)
        t.subscribed = false
        t.epoch = undefined
      } else onSubscribed(history.client, t, event, report)
    }
  }
  for (const [channel, t] of tracks) closeWindow(history.client, channel, t, report)
  report.duplicatesAfterDedupe.push(...duplicates(positions, history.client))
  for (const [channel, t] of tracks) findMissing(history.client, channel, t, acked.get(channel), report)
}

function onSubscribed(client: string, t: ChannelTrack, r: SubscribedEvent, report: HistoryReport): void {
  if (!t.subscribed) {
    report.subscribes.first++
    t.subscribed = true
    return enter(t, r.epoch, r.offset)
  }
  if (!r.recovered) {
    report.subscribes.recoveredFalse++
    leave(t, true)
    return enter(t, r.epoch, r.offset)
  }
  report.subscribes.recoveredTrue++
  if (r.epoch !== t.epoch) {
    report.hiddenGaps.push({ client, channel: r.channel, epoch: r.epoch, kind: 'epochChanged', missingOffsets: [] })
    leave(t, false) // not excused: whatever the old epoch still had counts as missing
    return enter(t, r.epoch, r.offset)
  }
  const from = position(t, r.epoch)
  if (from !== undefined) t.window = { epoch: r.epoch, from, to: r.offset, offsets: new Set() }
}

/** The client stops following its current epoch at its position; `excused` if it was told so. */
function leave(t: ChannelTrack, excused: boolean): void {
  if (t.epoch === undefined) return
  if (excused) t.excuses.push({ epoch: t.epoch, from: position(t, t.epoch) ?? -Infinity, to: Infinity, open: false })
  t.pendingStart = false
}

/** The client follows `epoch` from `start` (exclusive); unknown start: taken from the next delivery. */
function enter(t: ChannelTrack, epoch: string, start: number | undefined): void {
  t.epoch = epoch
  const entry = t.entries.get(epoch)
  if (!entry) t.entries.set(epoch, { start, max: undefined })
  else if (start !== undefined) {
    entry.start ??= start
    entry.max = Math.max(entry.max ?? -Infinity, start)
  }
  for (const e of t.excuses) {
    if (e.epoch !== epoch || e.to !== Infinity) continue
    if (start === undefined) e.open = true
    else e.to = start
  }
  t.pendingStart = start === undefined
}

function position(t: ChannelTrack, epoch: string): number | undefined {
  const entry = t.entries.get(epoch)
  return entry?.max ?? entry?.start
}

function onDelivery(
  client: string, t: ChannelTrack, d: DeliveryEvent, acked: Map<string, Map<string, Publication>>,
  positions: Map<string, Set<string>>, report: HistoryReport,
): void {
  report.deliveries++
  const key = posKey(d.epoch, d.offset)
  if (t.seen.has(key)) {
    report.duplicatesBeforeDedupe++
    return
  }
  t.seen.add(key)
  addPosition(positions, pubId(d), pos(d))
  const expected = acked.get(d.channel)?.get(key)
  if (expected && pubId(expected) !== pubId(d)) {
    report.conflicts.push({ client, channel: d.channel, epoch: d.epoch, offset: d.offset, expected: pubId(expected), got: pubId(d) })
  }
  const violation = (kind: OrderViolation['kind'], after: number | undefined): void => {
    const at = t.epoch === undefined || after === undefined ? null : `${t.epoch}:${after}`
    report.orderViolations.push({ client, channel: d.channel, kind, epoch: d.epoch, offset: d.offset, after: at })
  }
  if (!t.subscribed) return violation('notSubscribed', undefined)
  if (d.epoch !== t.epoch) return violation('wrongEpoch', t.epoch === undefined ? undefined : position(t, t.epoch))
  const entry = t.entries.get(d.epoch)!
  if (t.pendingStart) {
    t.pendingStart = false
    entry.start ??= d.offset - 1
    for (const e of t.excuses) if (e.open && e.epoch === d.epoch) Object.assign(e, { open: false, to: d.offset - 1 })
  }
  const at = position(t, d.epoch)
  if (at !== undefined && d.offset <= at) return violation('backwards', at)
  entry.max = d.offset
  if (t.window?.epoch === d.epoch) t.window.offsets.add(d.offset)
}

/** Ends a `recovered: true` window: every offset in (from, to] must have been delivered (I4). */
function closeWindow(client: string, channel: string, t: ChannelTrack, report: HistoryReport): void {
  const w = t.window
  t.window = undefined
  if (!w) return
  let highest = w.from
  for (const o of w.offsets) if (o > highest) highest = o
  const upper = Math.min(w.to ?? highest, w.from + MAX_GAP_SCAN)
  const missingOffsets: number[] = []
  for (let o = w.from + 1; o <= upper; o++) if (!t.seen.has(posKey(w.epoch, o))) missingOffsets.push(o)
  if (missingOffsets.length > 0) report.hiddenGaps.push({ client, channel, epoch: w.epoch, kind: 'gap', missingOffsets })
}

function findMissing(client: string, channel: string, t: ChannelTrack, acked: Map<string, Publication> | undefined, report: HistoryReport): void {
  for (const p of acked?.values() ?? []) {
    const start = t.entries.get(p.epoch)?.start
    if (start === undefined || p.offset <= start || t.seen.has(posKey(p.epoch, p.offset))) continue
    const excused = t.excuses.some((e) => e.epoch === p.epoch && p.offset > e.from && p.offset <= e.to)
    if (excused) report.excused++
    else report.missing.push({ client, ...p, channel })
  }
}

function describe(r: HistoryReport): string[] {
  const lines = [
    ...r.missing.map((m) => `missing: ${m.client} never got ${pos(m)} (${pubId(m)}) and was not told recovered:false`),
    ...r.duplicatesAfterDedupe.map((d) => `duplicate after dedupe: ${d.publisher}#${d.seq} at ${d.positions.join(', ')}${d.client ? ` (client ${d.client})` : ' (acknowledged twice)'}`),
    ...r.orderViolations.map((o) => `order: ${o.client} got ${o.channel}@${o.epoch}:${o.offset} ${o.kind}${o.after ? ` after ${o.after}` : ''}`),
    ...r.hiddenGaps.map((g) => `recovered:true hid a gap: ${g.client} ${g.channel}@${g.epoch} ${g.kind === 'gap' ? `missing offsets ${g.missingOffsets.slice(0, 10).join(',')}` : 'epoch changed'}`),
    ...r.conflicts.map((c) => `conflict: ${c.channel}@${c.epoch}:${c.offset} is ${c.expected} but ${c.client ?? 'another ack'} saw ${c.got}`),
    ...(r.idempotency?.duplicated ?? []).map((d) => `idempotency: key ${d.key} has ${d.count} history entries`),
    ...(r.idempotency?.missing ?? []).map((k) => `idempotency: key ${k} has no history entry`),
  ]
  return lines.length > MAX_PROBLEMS ? [...lines.slice(0, MAX_PROBLEMS), `... and ${lines.length - MAX_PROBLEMS} more`] : lines
}
