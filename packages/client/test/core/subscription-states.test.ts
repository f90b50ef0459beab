/** One test per row of the subscription table in docs/state-machines.md (S1–S7). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { subscriptionTransitions, type StateChange, type SubscriptionState } from '../../src/core/states.js'
import type { Subscription } from '../../src/core/subscription.js'
import { docRows } from '../helpers/doc-table.js'
import { flush, harness } from '../helpers/fake-adapter.js'

type H = ReturnType<typeof harness>
interface Row {
  id: string
  from: SubscriptionState
  to: SubscriptionState
  code: number
  reason?: string
  run(h: H, sub: () => Subscription): Promise<void>
}

const CH = 'chat:1'
const subscribed = async (h: H): Promise<void> => {
  await h.connect()
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH, epoch: 'e1', offset: 5 })
  await flush()
}

const rows: Row[] = [
  { id: 'S1', from: 'unsubscribed', to: 'subscribing', code: 0, run: async () => {} },
  { id: 'S2', from: 'subscribing', to: 'subscribed', code: 0, run: subscribed },
  { id: 'S3', from: 'subscribing', to: 'unsubscribed', code: 0, reason: 'unsubscribe', run: async (_h, sub) => sub().unsubscribe() },
  {
    id: 'S4', from: 'subscribing', to: 'unsubscribed', code: 102,
    run: async (h) => {
      await h.connect()
      h.socket.reply('subscribe', { type: 'error', code: 102, message: 'permission denied' })
      await flush()
    },
  },
  { id: 'S5', from: 'subscribed', to: 'subscribing', code: 4000, run: async (h) => { await subscribed(h); h.socket.serverClose(4000, 'restart') } },
  {
    id: 'S6', from: 'subscribed', to: 'subscribing', code: 0, reason: 'gap',
    run: async (h) => {
      await subscribed(h)
      h.socket.receive({ type: 'pub', channel: CH, data: 'x', epoch: 'e1', offset: 7 })
    },
  },
  { id: 'S7', from: 'subscribed', to: 'unsubscribed', code: 0, reason: 'unsubscribe', run: async (h, sub) => { await subscribed(h); sub().unsubscribe() } },
]

for (const row of rows) {
  test(`${row.id}: ${row.from} → ${row.to}`, async () => {
    const h = harness()
    const states: Array<StateChange<SubscriptionState>> = []
    const sub = h.client.subscribe(CH, { state: (s) => states.push(s) })
    await row.run(h, () => sub)
    const last = states.at(-1)
    assert.deepEqual(last && { from: last.from, to: last.to, code: last.code }, { from: row.from, to: row.to, code: row.code })
    if (row.reason !== undefined) assert.equal(last?.reason, row.reason)
    assert.equal(sub.state, row.to)
  })
}

test('the rows match docs/state-machines.md and cover every pair allowed by states.ts', () => {
  const doc = docRows('S')
  assert.deepEqual([...doc.keys()], rows.map((r) => r.id))
  for (const r of rows) assert.deepEqual(doc.get(r.id), { from: r.from, to: r.to }, r.id)
  const allowed = Object.entries(subscriptionTransitions).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`)).sort()
  assert.deepEqual([...new Set(rows.map((r) => `${r.from}→${r.to}`))].sort(), allowed)
})

test('S4 frees the channel: subscribing again is allowed and sends a new subscribe', async () => {
  const h = harness()
  h.client.subscribe(CH)
  await h.connect()
  h.socket.reply('subscribe', { type: 'error', code: 102, message: 'permission denied' })
  await flush()
  assert.equal(h.client.subscription(CH), undefined)
  h.client.subscribe(CH)
  assert.equal(h.socket.all('subscribe').length, 2)
})

test('a retryable refusal keeps subscribing and retries after a backoff delay', async () => {
  const h = harness()
  const errors: number[] = []
  const sub = h.client.subscribe(CH, { error: (e) => errors.push(e.code) })
  await h.connect()
  h.socket.reply('subscribe', { type: 'error', code: 109, message: 'broker down' })
  await flush()
  assert.deepEqual(errors, [109])
  assert.equal(sub.state, 'subscribing')
  assert.equal(h.socket.all('subscribe').length, 1)
  h.clock.advance(750) // backoff attempt 0 with random 0.5
  assert.equal(h.socket.all('subscribe').length, 2)
  h.socket.reply('subscribe', { type: 'subscribed', channel: CH })
  await flush()
  assert.equal(sub.state, 'subscribed')
})
