// The HTTP API inside a real createServer(): G4 end to end (history and a live WebSocket
// subscriber both see one publication for three requests with one Idempotency-Key), auth,
// limits, error mapping of the core's RequestError, and the metrics text.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import WebSocket from 'ws'
import { createServer, type MiniServer } from '../src/index.js'

const KEY = 'integration-api-key-0123'
const namespaces = [
  { match: 'chat:*', historySize: 10, presence: true },
  { match: 'live:*', historySize: 0 },
]

async function withServer(fn: (base: string, server: MiniServer) => Promise<void>, apiKey: string | null = KEY): Promise<void> {
  const server = createServer({ port: 0, host: '127.0.0.1', namespaces, ...(apiKey !== null ? { apiKey } : {}) })
  await server.listen()
  try {
    await fn(`http://127.0.0.1:${server.port}`, server)
  } finally {
    await server.close({ drainMs: 0 })
  }
}

const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` }
const publish = (base: string, body: unknown, extra: Record<string, string> = {}) =>
  fetch(`${base}/api/publish`, { method: 'POST', headers: { ...headers, ...extra }, body: typeof body === 'string' ? body : JSON.stringify(body) })

/** A raw-protocol subscriber: connect, subscribe, collect `pub` frames. */
async function subscriber(port: number, channel: string): Promise<{ pubs: unknown[]; ws: WebSocket }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`)
  const pubs: unknown[] = []
  const subscribed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no subscribed reply within 5 s')), 5000)
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { type: string; id?: number }
      if (frame.type === 'connected') ws.send(JSON.stringify({ type: 'subscribe', id: 2, channel }))
      if (frame.type === 'subscribed') {
        clearTimeout(timer)
        resolve()
      }
      if (frame.type === 'pub') pubs.push(frame)
    })
    ws.on('error', reject)
  })
  ws.on('open', () => ws.send(JSON.stringify({ type: 'connect', id: 1, versions: [1] })))
  await subscribed
  return { pubs, ws }
}

test('G4: the same Idempotency-Key three times → one history entry, one delivery, identical replies', async () => {
  await withServer(async (base, server) => {
    const sub = await subscriber(server.port, 'chat:g4')
    try {
      const replies: Array<[number, string]> = []
      for (let i = 0; i < 3; i++) {
        const r = await publish(base, { channel: 'chat:g4', data: { text: 'once' } }, { 'Idempotency-Key': 'g4-key' })
        replies.push([r.status, await r.text()])
      }
      assert.equal(replies[0]![0], 200)
      assert.deepEqual(replies[1], replies[0])
      assert.deepEqual(replies[2], replies[0])
      const reply = JSON.parse(replies[0]![1]) as { epoch: string; offset: number }
      assert.equal(reply.offset, 1)

      const history = await (await fetch(`${base}/api/history?channel=chat:g4`, { headers })).json()
      assert.equal(history.publications.length, 1)
      assert.deepEqual(history.publications[0].data, { text: 'once' })
      assert.equal(history.epoch, reply.epoch)

      // A later, different publication proves delivery works; the subscriber saw the first one once.
      await publish(base, { channel: 'chat:g4', data: { text: 'next' } })
      for (let i = 0; i < 100 && sub.pubs.length < 2; i++) await new Promise((r) => setTimeout(r, 20))
      assert.deepEqual(sub.pubs.map((p) => (p as { data: unknown; offset: number }).offset), [1, 2])
    } finally {
      sub.ws.terminate()
    }
  })
})

test('auth, limits and errors from the core map to documented statuses', async () => {
  await withServer(async (base) => {
    assert.equal((await publish(base, { channel: 'chat:1', data: 1 }, { Authorization: 'Bearer nope' })).status, 401)
    assert.equal((await publish(base, '{"channel":')).status, 400)
    const big = await publish(base, { channel: 'chat:1', data: 'x'.repeat(64 * 1024) })
    assert.equal(big.status, 413)
    assert.equal((await big.json()).error.code, 106)
    const unknown = await publish(base, { channel: 'other:1', data: 1 })
    assert.deepEqual([unknown.status, (await unknown.json()).error.code], [404, 101])
    const noHistory = await fetch(`${base}/api/history?channel=live:1`, { headers })
    assert.deepEqual([noHistory.status, (await noHistory.json()).error.code], [404, 110])
    const presence = await fetch(`${base}/api/presence?channel=chat:1`, { headers })
    assert.deepEqual(await presence.json(), { channel: 'chat:1', members: [] })
    assert.equal((await fetch(`${base}/api/publish`, { headers })).status, 405)
    assert.equal((await fetch(`${base}/nothing-here`)).status, 404)
  })
  await withServer(async (base) => {
    assert.equal((await publish(base, { channel: 'chat:1', data: 1 })).status, 403, 'no API key configured → API disabled')
    assert.equal((await fetch(`${base}/health`)).status, 200)
  }, null)
})

test('health and metrics reflect a live connection; every metrics line is valid exposition text', async () => {
  await withServer(async (base, server) => {
    const sub = await subscriber(server.port, 'chat:m')
    try {
      await publish(base, { channel: 'chat:m', data: 1 })
      const health = await (await fetch(`${base}/health`)).json()
      assert.equal(health.status, 'ok')
      assert.equal(health.connections, 1)
      assert.equal(health.subscriptions, 1)
      const res = await fetch(`${base}/metrics`)
      assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
      const text = await res.text()
      const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*")*\})? (-?[0-9.]+(e[-+]?[0-9]+)?|NaN|[+-]Inf)$/
      const lines = text.trimEnd().split('\n')
      for (const line of lines) assert.ok(line.startsWith('# HELP ') || line.startsWith('# TYPE ') || sample.test(line), line)
      assert.ok(lines.includes('minisocket_connections 1'))
      assert.ok(lines.includes('minisocket_publications_total 1'))
    } finally {
      sub.ws.terminate()
    }
  })
})
