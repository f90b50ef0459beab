/**
 * Seeded property-based fuzzing of a live server: thousands of malformed or hostile frames.
 * For every input the server answers (a reply, an error with a known code) or closes with a
 * documented code; it stays up, never throws, and Object.prototype stays untouched.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { allCodes } from '@minisocket/protocol'
import { startServer, TestClient, wsUrl } from './helpers.js'

const SEED = Number(process.env.FUZZ_SEED ?? 20261122)
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000)
const LANES = 4
/** Close codes a hostile frame may get (docs/codes.md): bad frame, too big, bad UTF-8, protocol error. */
const ALLOWED_CLOSES = new Set([4503, 1009, 1007, 1002])

const valid: Array<Record<string, unknown>> = [
  { type: 'subscribe', id: 1, channel: 'fz:a', since: { epoch: 'e', offset: 3 } },
  { type: 'unsubscribe', id: 2, channel: 'fz:a' },
  { type: 'publish', id: 3, channel: 'fz:a', data: { x: [1, 'two'] }, mid: 'm1' },
  { type: 'rpc', id: 4, method: 'echo', data: null },
  { type: 'presence', id: 5, channel: 'fz:a' },
  { type: 'history', id: 6, channel: 'fz:a', limit: 3 },
  { type: 'state', id: 7, state: 'away' },
  { type: 'connect', id: 8, versions: [1] },
  { type: 'ping' },
]

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(-1, 0, 1.5, 2 ** 53, -(2 ** 60), 1e308, '', 'x'.repeat(300), '__proto__', 'constructor', [], {}, null, true),
)

/** A valid frame with one field replaced, removed or added. */
const mutated = fc
  .tuple(fc.constantFrom(...valid), fc.constantFrom('replace', 'delete', 'add'), fc.constantFrom('type', 'id', 'channel', 'data', 'since', 'method', 'state', 'versions', 'limit', 'mid', 'zzz'), hostileValue)
  .map(([frame, op, key, value]) => {
    const copy: Record<string, unknown> = { ...frame }
    if (op === 'delete') delete copy[key]
    else copy[key] = value
    return JSON.stringify(copy)
  })

/** Prototype-pollution and nesting attacks written as raw text (JSON.stringify would drop __proto__ keys). */
const pollution = fc.constantFrom(
  '{"type":"publish","id":1,"channel":"fz:a","data":{"__proto__":{"polluted":1}}}',
  '{"__proto__":{"polluted":1},"type":"ping"}',
  '{"type":"rpc","id":2,"method":"__proto__","data":{"constructor":{"prototype":{"polluted":1}}}}',
  '{"type":"rpc","id":3,"method":"constructor","data":null}',
  '{"type":"subscribe","id":4,"channel":"__proto__"}',
  '{"type":"connect","id":5,"versions":[1],"info":{"__proto__":{"polluted":1}}}',
  `{"type":"publish","id":6,"channel":"fz:a","data":${'['.repeat(200)}${']'.repeat(200)}}`,
  `{"type":"publish","id":7,"channel":"fz:a","data":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`,
)

const input = fc.oneof(
  { weight: 3, arbitrary: mutated },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 50 }) },
  { weight: 1, arbitrary: pollution },
  { weight: 1, arbitrary: mutated.map((s) => s.slice(0, Math.max(1, s.length - 3))) },
)

test(`fuzz: ${RUNS} hostile frames against a live server (seed ${SEED})`, async () => {
  const faults: unknown[] = []
  const onFault = (err: unknown): void => {
    faults.push(err)
  }
  process.on('uncaughtException', onFault)
  process.on('unhandledRejection', onFault)
  const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort()
  const server = await startServer({
    limits: { messageRate: 1e6, messageBurst: 1e6 },
    namespaces: [{ match: 'fz:*', presence: true, publish: 'all' }, { match: /^/ }],
    rpc: { echo: (d) => d },
  })
  const inputs = fc.sample(input, { seed: SEED, numRuns: RUNS })
  const errorCodes = new Set(Object.keys(allCodes().error).map(Number))
  const outcomes = { answered: 0, closed: 0 }
  let sentinel = 1_000_000_000
  try {
    const lane = async (items: string[]): Promise<void> => {
      let client: TestClient | undefined
      for (const text of items) {
        client ??= (await TestClient.connect(wsUrl(server))).client
        const id = ++sentinel
        client.send(text)
        client.send({ type: 'rpc', id, method: '__sentinel', data: null })
        const settled = await client.take((f) => f.type === 'error' && f.id === id).then(
          () => 'answered' as const,
          () => 'closed' as const,
        )
        if (settled === 'closed') {
          const closed = await client.waitClosed()
          assert.ok(ALLOWED_CLOSES.has(closed.code), `input ${JSON.stringify(text).slice(0, 200)} closed with ${closed.code} (seed ${SEED})`)
          outcomes.closed++
          client = undefined
          continue
        }
        for (const f of client.frames.splice(0)) {
          if (f.type === 'error') assert.ok(errorCodes.has(f.code), `unknown error code ${f.code} for ${JSON.stringify(text).slice(0, 200)}`)
        }
        assert.deepEqual(client.violations, [], 'server frames decode')
        outcomes.answered++
      }
      client?.close()
    }
    await Promise.all(Array.from({ length: LANES }, (_, i) => lane(inputs.filter((_, j) => j % LANES === i))))
    if (process.env.FUZZ_VERBOSE) console.log(outcomes)
    assert.equal(outcomes.answered + outcomes.closed, RUNS)
    assert.ok(outcomes.closed > 0 && outcomes.answered > 0, `both outcomes exercised: ${JSON.stringify(outcomes)}`)
    // Still serving: a healthy client subscribes and receives.
    const { client } = await TestClient.connect(wsUrl(server))
    await client.request({ type: 'subscribe', channel: 'fz:ok' }, 'subscribed')
    await server.publish('fz:ok', 'alive')
    assert.equal((await client.next('pub')).data, 'alive')
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoKeys)
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    assert.deepEqual(faults, [])
  } finally {
    process.off('uncaughtException', onFault)
    process.off('unhandledRejection', onFault)
    await server.close({ drainMs: 500 })
  }
})
