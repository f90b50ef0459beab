// Runs the curl examples of docs/http-api.md, in order, against a live server, and checks what
// each prints against what the doc says it prints.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { createServer } from '../src/index.js'

const run = promisify(execFile)
const doc = readFileSync(new URL('../../../docs/http-api.md', import.meta.url), 'utf8')
const examples = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!)

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '')
}

test('docs/http-api.md: every curl example runs and prints what the doc shows', async (t) => {
  try {
    await run('curl', ['--version'])
  } catch {
    t.skip('curl is not installed: the doc examples cannot run here')
    return
  }
  assert.equal(examples.length, 6, 'the doc has 6 shell examples: publish, idempotent loop, history, presence, health, metrics')
  const key = 'docs-example-key-0123'
  const server = createServer({ port: 0, host: '127.0.0.1', apiKey: key, namespaces: [{ match: 'chat:*', historySize: 100, presence: true }] })
  await server.listen()
  try {
    const outputs: string[] = []
    for (const example of examples) {
      const script = example.replaceAll('http://127.0.0.1:8080', `http://127.0.0.1:${server.port}`)
      const { stdout } = await run('sh', ['-c', script], { env: { ...process.env, MINISOCKET_API_KEY: key }, timeout: 15_000 })
      outputs.push(stdout)
    }
    const [publish, loop, history, presence, health, metrics] = outputs as [string, string, string, string, string, string]
    const first = JSON.parse(publish) as { channel: string; epoch: string; offset: number }
    assert.deepEqual({ ...first, epoch: '…' }, { channel: 'chat:lobby', epoch: '…', offset: 1 })
    // curl prints the three replies back to back without newlines: split on the JSON boundaries.
    const replies = loop.replaceAll('}{', '}\n{').split('\n').filter((l) => l !== '')
    assert.deepEqual(replies, Array(3).fill(JSON.stringify({ channel: 'chat:lobby', epoch: first.epoch, offset: 2 })))
    assert.deepEqual(JSON.parse(history), {
      channel: 'chat:lobby', epoch: first.epoch, offset: 2,
      publications: [{ data: { text: 'hello' }, offset: 1 }, { data: { order: 1001, status: 'paid' }, offset: 2 }],
    })
    assert.deepEqual(JSON.parse(presence), { channel: 'chat:lobby', members: [] })
    const h = JSON.parse(health) as Record<string, unknown>
    assert.deepEqual(Object.keys(h).sort(), ['channels', 'connections', 'status', 'subscriptions', 'uptimeSeconds'])
    assert.equal(h.status, 'ok')
    const m = lines(metrics)
    assert.ok(m.length >= 6 && m.every((l) => l.startsWith('minisocket_')), metrics)
    assert.ok(m.includes('minisocket_publications_total 2'), metrics)
  } finally {
    await server.close({ drainMs: 0 })
  }
})
