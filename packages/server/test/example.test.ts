/** Runs examples/basic.ts (the README's ten-line server) as a process and talks to it with raw frames. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { TestClient, within } from './helpers.js'

const example = fileURLToPath(new URL('../examples/basic.ts', import.meta.url))
const readme = fileURLToPath(new URL('../../../README.md', import.meta.url))

test('the README\'s ten-line server is examples/basic.ts verbatim', () => {
  const section = readFileSync(readme, 'utf8').split('## A server in ten lines')[1] ?? ''
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  assert.equal(block, readFileSync(example, 'utf8'))
  assert.ok(block.split('\n').filter((l) => l.trim() !== '').length <= 10, 'ten lines at most')
})

test('examples/basic.ts: starts, serves subscribe/publish/rpc, and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', example], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  const exited = once(child, 'exit')
  try {
    await within(
      (async () => {
        while (!/ws:\/\/127\.0\.0\.1:\d+\/ws/.test(output)) await new Promise((r) => setTimeout(r, 20))
      })(),
      20_000,
      `example banner; output so far: ${output}`,
    )
    const url = /ws:\/\/127\.0\.0\.1:\d+\/ws/.exec(output)?.[0] as string
    const { client: a } = await TestClient.connect(url)
    const { client: b } = await TestClient.connect(url)
    await a.request({ type: 'subscribe', channel: 'chat:lobby' }, 'subscribed')
    const ack = await b.request({ type: 'publish', channel: 'chat:lobby', data: { text: 'hi' } }, 'ack')
    assert.equal(ack.offset, 1)
    const pub = await a.next('pub')
    assert.deepEqual([pub.data, pub.offset], [{ text: 'hi' }, 1])
    const reply = await a.request({ type: 'rpc', method: 'time', data: null }, 'reply')
    assert.equal(typeof (reply.data as { now: number }).now, 'number')
    child.kill('SIGTERM')
    assert.equal((await a.next('disconnect')).code, 4000)
    const [code] = await within(exited, 10_000, 'example exits after SIGTERM')
    assert.equal(code, 0)
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
})
