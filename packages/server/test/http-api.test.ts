// Unit tests of the HTTP API against a small, honest fake MiniServer (in-memory history with
// offsets and idempotency as the memory broker does it). http-api.integration.test.ts runs the
// same API inside a real createServer().
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { FakeClock } from '@minisocket/testkit'
import type { Json, PresenceMember, Publication } from '@minisocket/protocol'
import type { MiniServer } from '../src/api.js'
import { createHttpApi, type HttpApiOptions } from '../src/http-api.js'
import { renderMetrics } from '../src/metrics.js'

const KEY = 'test-api-key-0123456789'

class CodedError extends Error {
  constructor(readonly code: number, message: string) {
    super(message)
  }
}

function fakeServer() {
  const streams = new Map<string, Publication[]>()
  const seen = new Map<string, { epoch: string; offset: number }>()
  const calls: string[] = []
  const server = {
    port: 0,
    async publish(channel: string, data: Json, options?: { idempotencyKey?: string }) {
      calls.push(`publish ${channel} ${options?.idempotencyKey ?? ''}`)
      if (channel.startsWith('denied:')) throw new CodedError(102, 'not allowed here')
      if (channel.startsWith('nowhere:')) throw new CodedError(101, 'no namespace matches')
      if (channel === 'boom') throw new Error('database password=hunter2 leaked in a stack')
      const key = options?.idempotencyKey
      const first = key === undefined ? undefined : seen.get(key)
      if (first !== undefined) return { ...first, duplicate: true }
      const list = streams.get(channel) ?? []
      list.push({ data, offset: list.length + 1 })
      streams.set(channel, list)
      const result = { epoch: 'e1', offset: list.length }
      if (key !== undefined) seen.set(key, result)
      return { ...result, duplicate: false }
    },
    async history(channel: string, query?: { since?: { epoch: string; offset: number }; limit?: number }) {
      calls.push(`history ${channel} ${JSON.stringify(query ?? {})}`)
      const list = streams.get(channel) ?? []
      const after = list.filter((p) => (p.offset ?? 0) > (query?.since?.offset ?? 0))
      return { epoch: 'e1', offset: list.length, publications: query?.limit === undefined ? after : after.slice(0, query.limit) }
    },
    async presence(channel: string): Promise<PresenceMember[]> {
      if (channel.startsWith('nopresence:')) throw new CodedError(110, 'presence is off for this channel')
      return [{ client: 'c1', user: 'alice', state: 'online' }]
    },
    stats: () => ({ connections: 2, channels: streams.size, subscriptions: 4, messagesIn: 1, messagesOut: 2, publications: 3, recentDisconnects: [] }),
    metrics: (): string => renderMetrics(server as unknown as MiniServer),
  }
  return { server: server as unknown as MiniServer, streams, calls }
}

async function withApi(options: HttpApiOptions, fn: (base: string, ctx: ReturnType<typeof fakeServer> & { logs: string[] }) => Promise<void>) {
  const ctx = { ...fakeServer(), logs: [] as string[] }
  const log = (level: string) => (msg: string, fields?: Record<string, unknown>) => ctx.logs.push(JSON.stringify({ level, msg, ...fields }))
  const api = createHttpApi(ctx.server, { logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }, ...options })
  const http: Server = createServer((req, res) => {
    if (!api(req, res)) {
      res.statusCode = 404
      res.end('core 404')
    }
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  try {
    await fn(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, ctx)
  } finally {
    http.closeAllConnections()
    await new Promise((r) => http.close(r))
  }
}

const json = { 'Content-Type': 'application/json' }
const auth = { ...json, Authorization: `Bearer ${KEY}` }
const post = (base: string, body: string, headers: Record<string, string> = auth) => fetch(`${base}/api/publish`, { method: 'POST', headers, body })

test('publish: Bearer or X-API-Key, reply carries the stream position', async () => {
  await withApi({ apiKey: KEY }, async (base, { streams }) => {
    const a = await post(base, JSON.stringify({ channel: 'chat:1', data: { text: 'hi' } }))
    assert.equal(a.status, 200)
    assert.deepEqual(await a.json(), { channel: 'chat:1', epoch: 'e1', offset: 1 })
    const b = await post(base, JSON.stringify({ channel: 'chat:1', data: null }), { ...json, 'X-API-Key': KEY })
    assert.deepEqual(await b.json(), { channel: 'chat:1', epoch: 'e1', offset: 2 })
    assert.equal(streams.get('chat:1')?.length, 2)
    assert.equal(a.headers.get('cache-control'), 'no-store')
    assert.equal(a.headers.get('access-control-allow-origin'), null, 'no CORS: browsers cannot call the API cross-site')
  })
})

test('idempotency: the same key three times → one history entry, identical status and body', async () => {
  await withApi({ apiKey: KEY }, async (base, { streams, calls }) => {
    const body = JSON.stringify({ channel: 'chat:1', data: { text: 'once' } })
    const replies = []
    for (let i = 0; i < 3; i++) {
      const r = await post(base, body, { ...auth, 'Idempotency-Key': 'order-42' })
      replies.push({ status: r.status, body: await r.text(), replayed: r.headers.get('idempotent-replayed') })
    }
    assert.equal(streams.get('chat:1')?.length, 1)
    assert.deepEqual(replies.map((r) => [r.status, r.body]), Array(3).fill([200, '{"channel":"chat:1","epoch":"e1","offset":1}']))
    assert.deepEqual(replies.map((r) => r.replayed), [null, 'true', 'true'])
    assert.deepEqual(calls, Array(3).fill('publish chat:1 order-42'), 'the key reaches MiniServer.publish as given')
  })
})

test('idempotency: the same key with another request → 422 within the window, allowed after it', async () => {
  const clock = new FakeClock()
  await withApi({ apiKey: KEY, clock, idempotencyWindowMs: 60_000 }, async (base) => {
    const headers = { ...auth, 'Idempotency-Key': 'k1' }
    assert.equal((await post(base, JSON.stringify({ channel: 'chat:1', data: 1 }), headers)).status, 200)
    const reused = await post(base, JSON.stringify({ channel: 'chat:1', data: 2 }), headers)
    assert.equal(reused.status, 422)
    assert.deepEqual(await reused.json(), { error: { code: 100, name: 'BadRequest', message: 'Idempotency-Key was already used with a different request' } })
    clock.advance(60_001)
    assert.equal((await post(base, JSON.stringify({ channel: 'chat:1', data: 2 }), headers)).status, 200)
  })
})

test('a failed publish does not burn its Idempotency-Key', async () => {
  await withApi({ apiKey: KEY }, async (base) => {
    const headers = { ...auth, 'Idempotency-Key': 'k2' }
    assert.equal((await post(base, JSON.stringify({ channel: 'denied:x', data: 1 }), headers)).status, 403)
    assert.equal((await post(base, JSON.stringify({ channel: 'chat:2', data: 1 }), headers)).status, 200)
  })
})

test('auth: missing or wrong key → 401; no key configured → 403 (API disabled); logs hold neither key nor body', async () => {
  await withApi({ apiKey: KEY }, async (base, { logs, calls }) => {
    const body = JSON.stringify({ channel: 'chat:1', data: 'BODY-MARKER' })
    for (const headers of [json, { ...json, Authorization: 'Bearer wrong-key' }, { ...json, 'X-API-Key': `${KEY}x` }, { ...json, Authorization: `Basic ${KEY}` }]) {
      const r = await post(base, body, headers)
      assert.equal(r.status, 401, JSON.stringify(headers))
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="minisocket"')
      assert.equal((await r.json()).error.code, 102)
    }
    assert.equal((await fetch(`${base}/api/history?channel=chat:1`)).status, 401)
    assert.equal((await fetch(`${base}/api/presence?channel=chat:1`)).status, 401)
    assert.equal(calls.length, 0)
    assert.equal(logs.length, 6)
    assert.ok(!logs.join('').includes('wrong-key') && !logs.join('').includes(KEY) && !logs.join('').includes('BODY-MARKER'))
  })
  await withApi({}, async (base) => {
    const r = await post(base, JSON.stringify({ channel: 'chat:1', data: 1 }))
    assert.equal(r.status, 403)
    assert.equal((await r.json()).error.code, 110)
  })
})

test('bad bodies → 400/415 with a stable code; nothing published', async () => {
  await withApi({ apiKey: KEY }, async (base, { calls }) => {
    const cases: Array<[string, number, Record<string, string>?]> = [
      ['{not json', 400],
      ['[1,2]', 400],
      ['"text"', 400],
      ['{"data":1}', 400],
      ['{"channel":"chat:1"}', 400],
      ['{"channel":"has space","data":1}', 400],
      [JSON.stringify({ channel: 'x'.repeat(256), data: 1 }), 400],
      ['{"channel":"chat:1","data":{"__proto__":{"polluted":1}}}', 400],
      [JSON.stringify({ channel: 'chat:1', data: JSON.parse('['.repeat(40) + ']'.repeat(40)) }), 400],
      ['{"channel":"chat:1","data":1}', 415, { Authorization: `Bearer ${KEY}`, 'Content-Type': 'text/plain' }],
      ['{"channel":"chat:1","data":1}', 400, { ...auth, 'Idempotency-Key': 'has space' }],
    ]
    for (const [body, status, headers] of cases) {
      const r = await post(base, body, headers ?? auth)
      assert.equal(r.status, status, body.slice(0, 60))
      assert.equal((await r.json()).error.code, 100)
    }
    assert.equal(calls.length, 0)
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })
})

test('invalid UTF-8 body → 400', async () => {
  await withApi({ apiKey: KEY }, async (base) => {
    const r = await fetch(`${base}/api/publish`, { method: 'POST', headers: auth, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) })
    assert.equal(r.status, 400)
  })
})

/** Sends headers and part of a body with node:http; resolves with the status and bytes sent. */
function partialPost(base: string, headers: Record<string, string | number>, chunk: Buffer, maxChunks: number): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/api/publish`, { method: 'POST', headers: { ...auth, ...headers } })
    let sent = 0
    let timer: NodeJS.Timeout | undefined
    // Bounded: a server that waits for the whole body would never answer.
    const deadline = setTimeout(() => {
      req.destroy()
      reject(new Error(`no response after sending ${sent} bytes`))
    }, 10_000)
    req.on('response', (res) => {
      clearTimeout(timer)
      clearTimeout(deadline)
      res.resume()
      resolve({ status: res.statusCode ?? 0, sent })
      req.destroy()
    })
    req.on('error', (err) => {
      clearTimeout(deadline)
      reject(err)
    })
    const pump = (n: number) => {
      if (n >= maxChunks || req.destroyed) return
      req.write(chunk)
      sent += chunk.length
      timer = setTimeout(() => pump(n + 1), 5)
    }
    pump(0)
  })
}

test('oversize body → 413 before it is read: declared length, and a chunked stream', async () => {
  await withApi({ apiKey: KEY, maxBodyBytes: 1024 }, async (base, { calls }) => {
    // 10 MiB declared, 1 KiB sent: the reply comes without waiting for the rest.
    const declared = await partialPost(base, { 'Content-Length': 10 * 1024 * 1024 }, Buffer.alloc(1024, 0x20), 1)
    assert.equal(declared.status, 413)
    // Chunked, no length: the reply comes once the limit is passed, long before 200 chunks.
    const chunked = await partialPost(base, { 'Transfer-Encoding': 'chunked' }, Buffer.alloc(512, 0x20), 200)
    assert.equal(chunked.status, 413)
    assert.ok(chunked.sent < 200 * 512, `sent ${chunked.sent}`)
    assert.equal(calls.length, 0)
    // The server still serves.
    assert.equal((await fetch(`${base}/health`)).status, 200)
  })
})

test('wrong method → 405 with Allow; unknown path → not handled (core 404)', async () => {
  await withApi({ apiKey: KEY }, async (base) => {
    const r = await fetch(`${base}/api/publish`, { headers: auth })
    assert.equal(r.status, 405)
    assert.equal(r.headers.get('allow'), 'POST')
    assert.equal((await fetch(`${base}/health`, { method: 'DELETE' })).status, 405)
    const unknown = await fetch(`${base}/api/nothing`)
    assert.equal(unknown.status, 404)
    assert.equal(await unknown.text(), 'core 404')
  })
})

test('history: query validation and since/limit pass-through', async () => {
  await withApi({ apiKey: KEY }, async (base, { calls }) => {
    for (let i = 0; i < 3; i++) await post(base, JSON.stringify({ channel: 'chat:1', data: i }))
    const get = (q: string) => fetch(`${base}/api/history?${q}`, { headers: auth })
    const all = await get('channel=chat:1')
    assert.deepEqual(await all.json(), { channel: 'chat:1', epoch: 'e1', offset: 3, publications: [{ data: 0, offset: 1 }, { data: 1, offset: 2 }, { data: 2, offset: 3 }] })
    const since = await (await get('channel=chat:1&epoch=e1&offset=1&limit=1')).json()
    assert.deepEqual(since.publications, [{ data: 1, offset: 2 }])
    assert.equal(calls.at(-1), 'history chat:1 {"since":{"epoch":"e1","offset":1},"limit":1}')
    for (const q of ['', 'channel=', 'channel=a&channel=b', 'channel=chat:1&limit=0', 'channel=chat:1&limit=1001', 'channel=chat:1&limit=1.5',
      'channel=chat:1&offset=3', 'channel=chat:1&epoch=e1', 'channel=chat:1&epoch=e1&offset=-1', 'channel=chat:1&limit=99999999999999999999'])
      assert.equal((await get(q)).status, 400, q)
  })
})

test('presence, and core errors mapped to statuses without leaking internals', async () => {
  await withApi({ apiKey: KEY }, async (base, { logs }) => {
    const p = await fetch(`${base}/api/presence?channel=chat:1`, { headers: auth })
    assert.deepEqual(await p.json(), { channel: 'chat:1', members: [{ client: 'c1', user: 'alice', state: 'online' }] })
    const off = await fetch(`${base}/api/presence?channel=nopresence:1`, { headers: auth })
    assert.deepEqual([off.status, (await off.json()).error.code], [404, 110])
    const nowhere = await post(base, JSON.stringify({ channel: 'nowhere:1', data: 1 }))
    assert.deepEqual([nowhere.status, (await nowhere.json()).error], [404, { code: 101, name: 'UnknownChannel', message: 'no namespace matches' }])
    const boom = await post(base, JSON.stringify({ channel: 'boom', data: 1 }))
    assert.deepEqual([boom.status, (await boom.json()).error], [500, { code: 108, name: 'Internal', message: 'internal error' }])
    assert.equal(logs.filter((l) => l.includes('"level":"error"')).length, 1)
  })
})

test('health needs no key; metrics open by default, behind the key or off on request', async () => {
  await withApi({ apiKey: KEY }, async (base) => {
    const h = await fetch(`${base}/health`)
    assert.deepEqual(await h.json(), { status: 'ok', connections: 2, channels: 0, subscriptions: 4, uptimeSeconds: 0 })
    const m = await fetch(`${base}/metrics`)
    assert.equal(m.status, 200)
    assert.equal(m.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
    assert.match(await m.text(), /^minisocket_connections 2$/m)
  })
  await withApi({ apiKey: KEY, metrics: 'key' }, async (base) => {
    assert.equal((await fetch(`${base}/metrics`)).status, 401)
    assert.equal((await fetch(`${base}/metrics`, { headers: { 'X-API-Key': KEY } })).status, 200)
  })
  await withApi({ apiKey: KEY, metrics: 'off' }, async (base) => {
    assert.equal(await (await fetch(`${base}/metrics`)).text(), 'core 404')
  })
})

test('hostile requests (seeded fuzz) never get a 5xx and never stop the server', async () => {
  await withApi({ apiKey: KEY, maxBodyBytes: 2048 }, async (base) => {
    const paths = ['/api/publish', '/api/history', '/api/presence', '/health', '/metrics', '/api/publish?x=%', '/health?%zz']
    const arb = fc.record({
      path: fc.constantFrom(...paths),
      query: fc.string({ maxLength: 40 }),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'OPTIONS'),
      body: fc.oneof(fc.string({ maxLength: 300 }), fc.json({ maxDepth: 6 }), fc.jsonValue().map((v) => JSON.stringify({ channel: 'chat:1', data: v }))),
      key: fc.constantFrom(KEY, 'wrong', ''),
      idem: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    })
    await fc.assert(
      fc.asyncProperty(arb, async ({ path, query, method, body, key, idem }) => {
        const headers: Record<string, string> = { ...json, 'X-API-Key': key }
        if (idem !== undefined && /^[\x20-\x7e]*$/.test(idem)) headers['Idempotency-Key'] = idem
        const withBody = method === 'POST' || method === 'PUT'
        const r = await fetch(`${base}${path}${path.includes('?') ? '&' : '?'}${encodeURIComponent(query)}`, { method, headers, ...(withBody ? { body } : {}) })
        await r.arrayBuffer()
        assert.ok(r.status < 500, `status ${r.status}`)
      }),
      { seed: 20260101, numRuns: 300 },
    )
    assert.equal((await fetch(`${base}/health`)).status, 200)
  })
})
