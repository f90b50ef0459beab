/**
 * One test per row of the connection table in docs/state-machines.md (C1–C21). Each scenario
 * drives the client on a fake adapter and FakeClock and checks the `state` event of its row.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { clientTransitions } from '../../src/core/states.js'
import { docRows } from '../helpers/doc-table.js'
import { flush, harness } from '../helpers/fake-adapter.js'

type H = ReturnType<typeof harness>
interface Row {
  id: string
  from: string
  to: string
  code: number
  run(h: H): Promise<void>
}

async function opening(h: H): Promise<void> {
  h.client.connect()
  await flush()
}
async function disconnected(h: H): Promise<void> {
  await h.connect()
  h.socket.serverClose(4000, 'restart')
  assert.equal(h.client.state, 'disconnected')
}
async function suspended(h: H): Promise<void> {
  await h.connect()
  h.client.suspend()
}

const rows: Row[] = [
  { id: 'C1', from: 'closed', to: 'connecting', code: 0, run: async (h) => h.client.connect() },
  {
    id: 'C2', from: 'closed', to: 'connecting', code: 0,
    run: async (h) => {
      await opening(h)
      h.socket.serverClose(4500, 'bad token')
      h.client.reconnect()
    },
  },
  { id: 'C3', from: 'connecting', to: 'connected', code: 0, run: (h) => h.connect() },
  { id: 'C4', from: 'connecting', to: 'disconnected', code: 1006, run: async (h) => { await opening(h); h.socket.serverClose(1006) } },
  { id: 'C5', from: 'connecting', to: 'disconnected', code: 1006, run: async (h) => { await opening(h); h.socket.error() } },
  {
    id: 'C6', from: 'connecting', to: 'disconnected', code: 4006,
    run: async (h) => {
      await opening(h)
      h.clock.advance(9_999)
      assert.equal(h.client.state, 'connecting')
      h.clock.advance(1)
      assert.deepEqual(h.socket.closedWith?.code, 4006, 'the silent socket is closed')
    },
  },
  { id: 'C7', from: 'connecting', to: 'disconnected', code: 4009, run: async (h) => { h.client.connect(); await flush() } },
  { id: 'C8', from: 'connecting', to: 'closed', code: 4500, run: async (h) => { await opening(h); h.socket.open(); h.socket.serverClose(4500, 'bad token') } },
  { id: 'C9', from: 'connecting', to: 'closed', code: 1000, run: async (h) => { await opening(h); h.client.close() } },
  { id: 'C10', from: 'connecting', to: 'suspended', code: 4008, run: async (h) => { await opening(h); h.client.suspend() } },
  { id: 'C11', from: 'connected', to: 'disconnected', code: 4000, run: async (h) => { await h.connect(); h.socket.serverClose(4000, 'restart') } },
  {
    id: 'C12', from: 'connected', to: 'disconnected', code: 4001,
    run: async (h) => {
      await h.connect() // ping 25 s + pongTimeout 10 s
      h.clock.advance(34_999)
      assert.equal(h.client.state, 'connected')
      h.clock.advance(1)
    },
  },
  { id: 'C13', from: 'connected', to: 'closed', code: 4504, run: async (h) => { await h.connect(); h.socket.receive({ type: 'disconnect', code: 4504, reason: 'kicked', reconnect: false }) } },
  { id: 'C14', from: 'connected', to: 'closed', code: 1000, run: async (h) => { await h.connect(); h.client.close() } },
  { id: 'C15', from: 'connected', to: 'connecting', code: 0, run: async (h) => { await h.connect(); h.client.reconnect() } },
  { id: 'C16', from: 'connected', to: 'suspended', code: 4008, run: async (h) => { await h.connect(); h.client.suspend() } },
  {
    id: 'C17', from: 'disconnected', to: 'connecting', code: 0,
    run: async (h) => {
      await disconnected(h)
      h.clock.advance(749) // random 0.5: 500 + 0.5 × (1000 − 500)
      assert.equal(h.client.state, 'disconnected')
      h.clock.advance(1)
    },
  },
  { id: 'C18', from: 'disconnected', to: 'suspended', code: 4008, run: async (h) => { await disconnected(h); h.client.suspend() } },
  { id: 'C19', from: 'disconnected', to: 'closed', code: 1000, run: async (h) => { await disconnected(h); h.client.close() } },
  { id: 'C20', from: 'suspended', to: 'connecting', code: 0, run: async (h) => { await suspended(h); h.client.resume() } },
  { id: 'C21', from: 'suspended', to: 'closed', code: 1000, run: async (h) => { await suspended(h); h.client.close() } },
]

for (const row of rows) {
  test(`${row.id}: ${row.from} → ${row.to}`, async () => {
    const h = harness(row.id === 'C7' ? { token: () => { throw new Error('auth service down') } } : {})
    await row.run(h)
    const last = h.states.at(-1)
    assert.deepEqual(last && { from: last.from, to: last.to, code: last.code }, { from: row.from, to: row.to, code: row.code })
    assert.equal(h.client.state, row.to)
  })
}

test('the rows match docs/state-machines.md and cover every pair allowed by states.ts', () => {
  const doc = docRows('C')
  assert.deepEqual([...doc.keys()], rows.map((r) => r.id))
  for (const r of rows) assert.deepEqual(doc.get(r.id), { from: r.from, to: r.to }, r.id)
  const allowed = Object.entries(clientTransitions).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`)).sort()
  const covered = [...new Set(rows.map((r) => `${r.from}→${r.to}`))].sort()
  assert.deepEqual(covered, allowed)
})

test('no-op calls emit no state event', async () => {
  const h = harness()
  h.client.suspend() // closed
  h.client.resume()
  await h.connect()
  const before = h.states.length
  h.client.connect()
  h.client.resume()
  assert.equal(h.states.length, before)
})

test('every state event is a move listed in states.ts, across a long mixed session', async () => {
  const errors: unknown[] = []
  const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => errors.push(m) }
  const h = harness({ logger })
  for (let i = 0; i < 5; i++) {
    await h.connect()
    h.socket.serverClose(i % 2 ? 1006 : 4000)
    h.client.suspend()
    h.client.resume()
    await flush()
    h.socket.error()
    h.clock.advance(30_000)
    await flush()
  }
  h.client.close()
  for (const s of h.states) assert.ok(clientTransitions[s.from].includes(s.to), `${s.from} → ${s.to}`)
  assert.deepEqual(errors, [])
  assert.ok(h.states.length > 20)
})
