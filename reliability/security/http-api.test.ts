/**
 * S15 and G4: abuse of the HTTP publish API. Wrong or missing key → 401, oversized body → 413,
 * wrong content type → 415, a reused Idempotency-Key with other data → 422, and fuzzed bodies
 * and headers never get a 5xx. G4: the same Idempotency-Key sent many times (sequentially and
 * concurrently) gives one history entry and the same reply every time.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { checkIdempotency } from '@minisocket/testkit'
import { report } from '../lib/figures.js'
import { withHostileNode } from '../lib/hostile.js'
import { pick, seed } from '../lib/profile.js'

const apiKey = 'reliability-api-key-0123456789abcdef'

interface Reply {
  status: number
  body: string
  replayed: boolean
}

async function post(base: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${base}/api/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  })
  return { status: res.status, body: await res.text(), replayed: res.headers.get('idempotent-replayed') === 'true' }
}

test('S15: wrong key 401, oversized 413, wrong type 415, key reuse with other data 422', async () => {
  const seen: Record<string, number> = {}
  await withHostileNode({ apiKey }, async ({ node }) => {
    const body = JSON.stringify({ channel: 'feed:api', data: 1 })
    const cases: Array<[string, () => Promise<Reply>, number]> = [
      ['right key', () => post(node.http, body), 200],
      ['wrong key', () => post(node.http, body, { authorization: 'Bearer wrong' }), 401],
      ['key with one character changed', () => post(node.http, body, { authorization: `Bearer ${apiKey.slice(0, -1)}X` }), 401],
      ['no key', () => post(node.http, body, { authorization: '' }), 401],
      ['64 KiB + 1 body', () => post(node.http, JSON.stringify({ channel: 'feed:api', data: 'x'.repeat(64 * 1024) })), 413],
      ['1 MiB body', () => post(node.http, ' '.repeat(1024 * 1024)), 413],
      ['text/plain', () => post(node.http, body, { 'content-type': 'text/plain' }), 415],
      ['not JSON', () => post(node.http, '{"channel":'), 400],
      ['__proto__ in data', () => post(node.http, '{"channel":"feed:api","data":{"__proto__":{"polluted":1}}}'), 400],
      ['unknown namespace', () => post(node.http, JSON.stringify({ channel: 'nope:1', data: 1 })), 404],
      ['bad idempotency key', () => post(node.http, body, { 'idempotency-key': 'has space' }), 400],
    ]
    for (const [name, send, expected] of cases) {
      const reply = await send()
      seen[name] = reply.status
      assert.equal(reply.status, expected, `${name}: ${reply.body}`)
    }
    const first = await post(node.http, body, { 'idempotency-key': 'reuse-1' })
    assert.equal(first.status, 200)
    const other = await post(node.http, JSON.stringify({ channel: 'feed:api', data: 2 }), { 'idempotency-key': 'reuse-1' })
    assert.equal(other.status, 422, other.body)
  })
  report({ scenario: 'S15 HTTP API abuse', covers: ['S15', 'S16'], inputs: Object.keys(seen).length + 2, crashes: 0, extra: seen })
})

test('G4: an Idempotency-Key replayed (sequentially and concurrently) → one history entry, identical replies', async () => {
  const keys = pick(100, 500)
  const repeats = 3
  const sentKeys: string[] = []
  let replayed = 0
  await withHostileNode({ apiKey }, async ({ node }) => {
    const bodies = new Map<string, string>()
    for (let round = 0; round < repeats; round++) {
      // Each round sends every key; keys of one round go concurrently, 20 at a time.
      for (let i = 0; i < keys; i += 20) {
        const batch = Array.from({ length: Math.min(20, keys - i) }, (_, j) => `evt-${i + j}`)
        const replies = await Promise.all(batch.flatMap((key) => [key, key].map(async (k) => [k, await post(node.http, JSON.stringify({ channel: 'feed:g4', data: { key: k } }), { 'idempotency-key': k })] as const)))
        for (const [key, reply] of replies) {
          sentKeys.push(key)
          assert.equal(reply.status, 200, reply.body)
          if (reply.replayed) replayed++
          const earlier = bodies.get(key)
          if (earlier === undefined) bodies.set(key, reply.body)
          else assert.equal(reply.body, earlier, `key ${key}: the replay answered differently`)
        }
      }
    }
    const res = await fetch(`${node.http}/api/history?channel=feed:g4&limit=1000`, { headers: { 'x-api-key': apiKey } })
    const history = (await res.json()) as { publications: Array<{ data: { key: string }; offset: number }> }
    const check = checkIdempotency({ keys: sentKeys, entries: history.publications, keyOf: (p) => p.data.key })
    assert.deepEqual(check.duplicated, [], 'keys stored more than once')
    assert.deepEqual(check.missing, [], 'keys never stored')
    assert.equal(history.publications.length, keys)
  })
  report({ scenario: 'G4 HTTP idempotency', covers: ['G4', 'S15'], published: sentKeys.length, acked: sentKeys.length, dupAfter: 0, extra: { keys, replayed } })
})

test('S15: fuzzed publish bodies and headers never get a 5xx; the node survives', async () => {
  const runs = pick(1500, 10_000)
  const statuses = new Map<number, number>()
  await withHostileNode({ apiKey }, async ({ node }) => {
    const bodies = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue({ maxDepth: 40 }).map((v) => JSON.stringify(v) ?? 'null'),
      fc.record({ channel: fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('feed:a', 'live:x', 'user:bob', 'room:1')), data: fc.jsonValue({ maxDepth: 5 }) }).map((v) => JSON.stringify(v)),
      fc.constantFrom('{"channel":"feed:a","data":' + '['.repeat(100) + ']'.repeat(100) + '}', '{"channel":"feed:a","data":1e999}', '{"constructor":{"prototype":{"x":1}},"channel":"feed:a","data":1}'),
    )
    const headers = fc.record({
      'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', '', 'application/json; charset=latin1'),
      'idempotency-key': fc.oneof(fc.constant(undefined), fc.string({ maxLength: 300 }), fc.constantFrom('k1', 'k2')),
    })
    const samples = fc.sample(fc.tuple(bodies, headers), { seed, numRuns: runs })
    for (let i = 0; i < samples.length; i += 25) {
      await Promise.all(
        samples.slice(i, i + 25).map(async ([body, h]) => {
          const extra: Record<string, string> = { 'content-type': h['content-type'] }
          const key = h['idempotency-key']
          // fetch refuses header values with control characters: those never reach a server anyway.
          if (key !== undefined && /^[\t\x20-\x7e]*$/.test(key)) extra['idempotency-key'] = key
          const reply = await post(node.http, body, extra)
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
          assert.ok(reply.status < 500, `${reply.status} for body ${JSON.stringify(body).slice(0, 200)} headers ${JSON.stringify(extra)}: ${reply.body}`)
        }),
      )
    }
  })
  report({ scenario: 'S15 HTTP API fuzz', covers: ['S15', 'S16'], inputs: runs, crashes: 0, extra: Object.fromEntries([...statuses].map(([k, v]) => [`http${k}`, v])) })
})
