/**
 * The demo server over the network: pages and assets over HTTP, the plain WebSocket endpoints
 * with a bare `ws` client (the JSON documented in docs/demo.md), the chat message rules, the
 * stock RPCs, and `npm start` (scripts/start.mjs) printing its URLs.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { after, before, describe, test } from 'node:test'
import WebSocket from 'ws'
import { createClient, type Client } from '@minisocket/client/node'
import { waitFor } from '@minisocket/testkit'
import { PLAIN_LIMITS, type PlainChatMessage, type PlainPrice } from '../src/plain.js'
import { startDemo, type Demo } from '../src/server.js'

let demo: Demo
before(async () => {
  demo = await startDemo({ port: 0, host: '127.0.0.1', tickMs: 100 })
})
after(async () => {
  await demo?.close({ drainMs: 500 })
})

/** A bare ws client that collects parsed JSON messages. */
async function bare(url: string): Promise<{ ws: WebSocket; got: unknown[] }> {
  const ws = new WebSocket(url)
  const got: unknown[] = []
  ws.on('message', (data) => got.push(JSON.parse(String(data))))
  await once(ws, 'open')
  return { ws, got }
}

describe('http', () => {
  test('serves the pages, the bundles and the API; 404 otherwise', async () => {
    for (const path of ['/', '/chat', '/stock', '/admin', '/chat.html']) {
      const res = await fetch(`http://127.0.0.1:${demo.port}${path}`)
      assert.equal(res.status, 200, path)
      assert.match(res.headers.get('content-type') ?? '', /text\/html/)
      assert.match(await res.text(), /<script type="module" src="\/assets\/\w+\.js">/)
    }
    const js = await fetch(`http://127.0.0.1:${demo.port}/assets/stock.js`)
    assert.equal(js.status, 200)
    const body = await js.text()
    assert.ok(body.length > 50_000, 'the stock bundle carries lightweight-charts')
    assert.ok(!/https?:\/\/(cdn|unpkg|jsdelivr)/.test(body), 'no CDN reference')
    assert.equal((await fetch(`http://127.0.0.1:${demo.port}/health`)).status, 200)
    assert.equal((await fetch(`http://127.0.0.1:${demo.port}/nope`)).status, 404)
    assert.equal((await fetch(`http://127.0.0.1:${demo.port}/../package.json`)).status, 404)
  })
})

test('a port in use is reported, not left half-started', async () => {
  await assert.rejects(startDemo({ port: demo.port, host: '127.0.0.1' }), /EADDRINUSE/)
})

describe('plain WebSocket endpoints', () => {
  test('/plain/stock: "stock" → a JSON array of prices, then more pushes; other text → an error object', async () => {
    const { ws, got } = await bare(demo.urls.plainStock)
    try {
      ws.send('hello')
      await waitFor(() => got.length >= 1, { timeoutMs: 3000, message: 'error reply' })
      assert.deepEqual(got[0], { type: 'error', message: 'send the text "stock" to receive prices' })
      assert.equal(got.length, 1, 'nothing is pushed before asking')
      ws.send('stock')
      await waitFor(() => got.length >= 4, { timeoutMs: 3000, message: 'first answer and pushes' })
      const arrays = got.slice(1) as PlainPrice[][]
      for (const prices of arrays) {
        assert.deepEqual(prices.map((p) => p.symbol), demo.market.symbols.map((s) => s.symbol))
        for (const p of prices) assert.deepEqual(Object.keys(p).sort(), ['at', 'change', 'changePct', 'price', 'symbol'])
      }
      assert.ok(arrays.at(-1)![0]!.at > arrays[0]![0]!.at, 'later pushes carry later prices')
    } finally {
      ws.close()
    }
  })

  test('/plain/chat: a string goes to every plain chat client as JSON; empty or binary → error', async () => {
    const a = await bare(demo.urls.plainChat)
    const b = await bare(demo.urls.plainChat)
    try {
      await waitFor(() => a.got.length >= 1 && b.got.length >= 1, { timeoutMs: 3000, message: 'welcomes' })
      const welcomeA = a.got[0] as Extract<PlainChatMessage, { type: 'welcome' }>
      assert.equal(welcomeA.type, 'welcome')
      assert.match(welcomeA.you, /^guest-\d+$/)
      a.ws.send('  hello plain world  ')
      await waitFor(() => a.got.length >= 2 && b.got.length >= 2, { timeoutMs: 3000, message: 'broadcast' })
      for (const got of [a.got, b.got]) {
        const msg = got[1] as Extract<PlainChatMessage, { type: 'message' }>
        assert.deepEqual({ type: msg.type, from: msg.from, text: msg.text }, { type: 'message', from: welcomeA.you, text: 'hello plain world' })
        assert.equal(typeof msg.at, 'number')
      }
      b.ws.send('x'.repeat(PLAIN_LIMITS.maxTextLength + 50))
      await waitFor(() => a.got.length >= 3, { timeoutMs: 3000, message: 'long message' })
      assert.equal((a.got[2] as { text: string }).text.length, PLAIN_LIMITS.maxTextLength)
      a.ws.send('   ')
      a.ws.send(Buffer.from([1, 2, 3]))
      await waitFor(() => a.got.length >= 5, { timeoutMs: 3000, message: 'errors' })
      assert.deepEqual(a.got.slice(3), [
        { type: 'error', message: 'send a non-empty text message' },
        { type: 'error', message: 'send a non-empty text message' },
      ])
      assert.equal(b.got.length, 3, 'errors go to the sender only')
    } finally {
      a.ws.close()
      b.ws.close()
    }
  })

  test('an unknown WebSocket path is refused; a message over the limit closes with 1009', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${demo.port}/plain/nope`)
    const [err] = (await once(refused, 'error')) as [Error]
    assert.match(err.message, /404/)
    const { ws } = await bare(demo.urls.plainChat)
    ws.send('y'.repeat(PLAIN_LIMITS.maxMessageBytes + 1))
    const [code] = (await once(ws, 'close')) as [number]
    assert.equal(code, 1009)
  })
})

describe('minisocket channels and RPC', () => {
  let client: Client
  before(() => {
    client = createClient({ url: demo.urls.ws, WebSocket })
    client.connect()
  })
  after(() => client.close())

  test('stock RPCs answer; a bad symbol gets a clear error', async () => {
    const symbols = (await client.rpc('stock.symbols')) as Array<{ symbol: string; name: string; price: number }>
    assert.deepEqual(symbols.map((s) => s.symbol), demo.market.symbols.map((s) => s.symbol))
    const candles = (await client.rpc('stock.candles', { symbol: 'MSKT' })) as Array<{ time: number }>
    assert.ok(candles.length >= 60, 'the warm-up fills the chart')
    await assert.rejects(client.rpc('stock.candles', { symbol: 'NOPE' }), /must be one of MSKT/)
  })

  test('chat messages must have the documented shape; ticks flow on stock:SYMBOL', async () => {
    const sub = client.subscribe('chat:rules')
    await waitFor(() => sub.state === 'subscribed', { timeoutMs: 3000, message: 'subscribed' })
    await client.publish('chat:rules', { id: 'm1', nick: 'ann', text: 'ok', at: 1 })
    await assert.rejects(client.publish('chat:rules', { id: 'm2', nick: 'ann', text: '', at: 1 }), (e: { code?: number }) => e.code === 102)
    await assert.rejects(client.publish('stock:MSKT', { price: 1 }), (e: { code?: number }) => e.code === 102)
    const ticks: unknown[] = []
    client.subscribe('stock:WXPAY', { publication: (p) => ticks.push(p.data) })
    await waitFor(() => ticks.length >= 3, { timeoutMs: 3000, message: 'ticks' })
    assert.equal((ticks[0] as { symbol: string }).symbol, 'WXPAY')
  })
})

test('npm start (scripts/start.mjs) serves the demo and prints its URLs', { timeout: 30_000 }, async () => {
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: new URL('../../../', import.meta.url),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  try {
    const match = await waitFor(() => /chat\s+http:\/\/127\.0\.0\.1:(\d+)\/chat/.exec(out), { timeoutMs: 20_000, message: `start banner (output so far: ${out})` })
    assert.match(out, /plain\s+ws:\/\/127\.0\.0\.1:\d+\/plain\/stock/)
    const res = await fetch(`http://127.0.0.1:${match[1]}/chat`)
    assert.equal(res.status, 200)
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const [code] = (await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000, ['timeout']))])) as [number | string]
    assert.equal(code, 0, 'SIGTERM drains and exits 0')
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const exited = await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000, 'timeout'))])
      if (exited === 'timeout') child.kill('SIGKILL')
    }
  }
})
