import type { ClientEvent, HistoryInput } from './history-types.js'

/** Checks the shape of a history input so a harness bug surfaces as a clear error, not a wrong verdict. */
export function validateInput(input: HistoryInput): void {
  if (typeof input !== 'object' || input === null) throw new TypeError('checkHistory: input must be { acknowledged, clients }')
  if (!Array.isArray(input.acknowledged)) throw new TypeError('checkHistory: acknowledged must be an array of publications')
  if (!Array.isArray(input.clients)) throw new TypeError('checkHistory: clients must be an array of { client, events }')
  input.acknowledged.forEach((p, i) => checkPublication(p, `acknowledged[${i}]`))
  input.clients.forEach((c, i) => {
    const where = `clients[${i}]`
    if (typeof c?.client !== 'string') fail(where, 'client', 'a string', c?.client)
    if (!Array.isArray(c.events)) fail(where, 'events', 'an array', c.events)
    const events: readonly ClientEvent[] = c.events
    events.forEach((e, j) => {
      const at = `${where}.events[${j}]`
      if (typeof e?.channel !== 'string') fail(at, 'channel', 'a string', e?.channel)
      if (e.kind === 'delivery') return checkPublication(e, at)
      if (e.kind === 'unsubscribed') return
      if (e.kind !== 'subscribed') fail(at, 'kind', "'delivery', 'subscribed' or 'unsubscribed'", (e as { kind?: unknown }).kind)
      if (typeof e.recovered !== 'boolean') fail(at, 'recovered', 'a boolean', e.recovered)
      if (typeof e.epoch !== 'string') fail(at, 'epoch', 'a string', e.epoch)
      if (e.offset !== undefined) checkOffset(e.offset, at, 'offset')
    })
  })
}

function checkPublication(p: unknown, at: string): void {
  const v = p as Record<string, unknown> | null
  if (typeof v !== 'object' || v === null) fail(at, 'publication', 'an object', p)
  for (const field of ['channel', 'epoch', 'publisher'] as const) if (typeof v[field] !== 'string') fail(at, field, 'a string', v[field])
  checkOffset(v.offset, at, 'offset')
  checkOffset(v.seq, at, 'seq')
}

function checkOffset(value: unknown, at: string, field: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(at, field, 'a non-negative safe integer', value)
}

function fail(at: string, field: string, expected: string, got: unknown): never {
  throw new TypeError(`checkHistory: ${at}.${field} must be ${expected}, got ${JSON.stringify(got)}`)
}
