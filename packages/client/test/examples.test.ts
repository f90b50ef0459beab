/**
 * The examples of docs/client.md run here, against a real server; and the doc must contain each
 * example file verbatim, so the doc cannot drift from code that works.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { createServer, type MiniServer } from '@minisocket/server'
import { chatClient } from '../examples/offline-outbox.js'
import { quickStart } from '../examples/quick-start.js'
import { webNetwork } from '../examples/web-network.js'
import { privateCaClient } from '../examples/node-tls.js'
import { createClient } from '../src/entries/node.js'
import WebSocket from 'ws'

const doc = readFileSync(new URL('../../../docs/client.md', import.meta.url), 'utf8')

async function server(): Promise<MiniServer> {
  const s = createServer({
    host: '127.0.0.1',
    port: 0,
    namespaces: [{ match: 'chat:*', historySize: 100, publish: 'all' }],
    rpc: { time: () => ({ now: 42 }) },
    authenticate: ({ token }) => ({ user: token ?? '' }),
  })
  await s.listen()
  return s
}

for (const file of ['quick-start.ts', 'offline-outbox.ts', 'web-network.ts', 'node-tls.ts']) {
  test(`docs/client.md contains examples/${file} verbatim`, () => {
    const code = readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8').trim()
    assert.ok(doc.includes(code), `docs/client.md is missing the current text of examples/${file}`)
  })
}

test('quick start: connects, publishes, receives its own message, calls rpc, closes', async () => {
  const s = await server()
  try {
    const { ack, echoed, now, states } = await quickStart(`ws://127.0.0.1:${s.port}/ws`)
    assert.deepEqual(ack, { status: 'sent', epoch: ack.epoch, offset: 1, duplicate: false })
    assert.deepEqual(echoed, { text: 'hello' })
    assert.deepEqual(now, { now: 42 })
    assert.deepEqual(states, ['closed → connecting (0)', 'connecting → connected (0)', 'connected → closed (1000)'])
  } finally {
    await s.close({ drainMs: 0 })
  }
})

test('offline outbox: sends queue while offline and survive a restart through storage', async () => {
  const data = new Map<string, string>()
  const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) }
  const s = await server()
  const url = `ws://127.0.0.1:${s.port}/ws`
  const watcher = createClient({ url, WebSocket })
  const seen: string[] = []
  try {
    watcher.subscribe('chat:lobby', { publication: (p) => seen.push((p.data as { text: string }).text) })
    watcher.connect()
    const first = chatClient(url, storage)
    first.client.connect() // not connected yet: these queue, and are written to storage
    const pending = [first.send('one'), first.send('two')]
    first.typing() // volatile: dropped while offline
    assert.equal(JSON.parse(data.get('chat-outbox')!).length, 2)
    first.client.suspend() // an app kill would also leave the queue in storage
    pending.forEach((p) => p.catch(() => {}))

    const second = chatClient(url, storage) // "after the restart"
    second.client.connect()
    for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10))
    assert.deepEqual(seen, ['one', 'two'])
    assert.equal(await second.send('three'), 'sent')
    assert.equal(data.has('chat-outbox'), false)
    first.client.close()
    second.client.close()
  } finally {
    watcher.close()
    await s.close({ drainMs: 0 })
  }
})

test('web network hooks: online reconnects at once instead of waiting for the backoff', async () => {
  const win = new EventTarget()
  const s = await server()
  const port = s.port
  const client = createClient({ url: `ws://127.0.0.1:${port}/ws`, WebSocket, lifecycle: webNetwork(win), backoff: { min: 60_000 } })
  const wait = async (state: string): Promise<void> => {
    for (let i = 0; i < 200 && client.state !== state; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(client.state, state)
  }
  let again: MiniServer | undefined
  try {
    client.connect()
    await wait('connected')
    win.dispatchEvent(new Event('offline'))
    await s.close({ drainMs: 0 }) // the connection drops; the next retry would be ≥ 60 s away
    await wait('disconnected')
    again = createServer({ host: '127.0.0.1', port, namespaces: [] })
    await again.listen()
    win.dispatchEvent(new Event('online'))
    await wait('connected')
  } finally {
    client.close()
    await s.close({ drainMs: 0 })
    await again?.close({ drainMs: 0 })
  }
})

test('node over TLS: the built-in client verifies the certificate against the CA it is given', async () => {
  // A self-signed certificate for localhost and 127.0.0.1 (test/fixtures), acting as its own CA.
  const cert = readFileSync(new URL('fixtures/localhost-cert.pem', import.meta.url), 'utf8')
  const key = readFileSync(new URL('fixtures/localhost-key.pem', import.meta.url), 'utf8')
  const https = createHttpsServer({ cert, key })
  const s = createServer({ server: https, rpc: { time: () => ({ now: 42 }) } })
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
  await s.listen()
  const url = `wss://localhost:${(https.address() as AddressInfo).port}/ws`
  const trusting = privateCaClient(url, cert)
  const doubting = createClient({ url, timeout: 2000 })
  try {
    const errors: string[] = []
    doubting.on('error', (e) => errors.push(e.message))
    doubting.connect()
    trusting.connect()
    assert.deepEqual(await trusting.rpc('time'), { now: 42 })
    // Without the CA the same server is refused: the certificate is checked, not trusted blindly.
    for (let i = 0; i < 200 && doubting.state !== 'disconnected'; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(doubting.state, 'disconnected')
  } finally {
    trusting.close()
    doubting.close()
    await s.close({ drainMs: 0 })
    await new Promise<void>((resolve) => https.close(() => resolve()))
  }
})
