import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { FakeClock } from '../src/fake-clock.js'
import { freePort, spawnNode, waitFor } from '../src/processes.js'

const fixture = fileURLToPath(new URL('./fixtures/ready-server.ts', import.meta.url))

test('freePort returns a port that can then be listened on', async () => {
  const port = await freePort()
  assert.ok(port > 0 && port < 65536)
  const server = createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
  } finally {
    server.close()
  }
})

test('waitFor returns the first truthy value, counting throws as not yet', async () => {
  let n = 0
  const value = await waitFor(() => {
    n++
    if (n < 3) throw new Error('not yet')
    return n === 4 ? { n } : undefined
  }, { intervalMs: 1 })
  assert.deepEqual(value, { n: 4 })
})

test('waitFor gives up after the timeout with the last error (on a fake clock: no sleeping)', async () => {
  const clock = new FakeClock()
  let tries = 0
  const pending = waitFor(() => {
    tries++
    throw new Error('still down')
  }, { timeoutMs: 100, intervalMs: 10, message: 'service up', clock })
  const verdict = assert.rejects(pending, /waitFor: service up not met within 100 ms \(last error: still down\)/)
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setImmediate(r))
    clock.advance(10)
  }
  await verdict
  assert.ok(tries >= 10 && tries <= 12, `tries ${tries}`)
  await assert.rejects(waitFor(() => true, { intervalMs: 0 }), /intervalMs > 0/)
})

test('spawnNode: ready line gives the port; the child serves; stop() ends it with SIGTERM', async () => {
  const child = await spawnNode(fixture, ['--flag', 'x'], { MODE: 'echo' })
  try {
    assert.deepEqual(child.ready.args, ['--flag', 'x'])
    const res = await fetch(`http://127.0.0.1:${child.port}/`)
    assert.equal(await res.text(), String(child.pid))
  } finally {
    const exit = await child.stop()
    assert.equal(exit.code, 0)
  }
  assert.equal(child.kill(), false, 'already gone')
})

test('spawnNode: kill(SIGKILL) is reported by stopped', async () => {
  const child = await spawnNode(fixture)
  try {
    assert.equal(child.kill('SIGKILL'), true)
    assert.deepEqual(await child.stopped, { code: null, signal: 'SIGKILL' })
  } finally {
    await child.stop()
  }
})

test('spawnNode: a child that exits before ready rejects with its stderr', async () => {
  await assert.rejects(spawnNode(fixture, [], { MODE: 'crash' }), /exited \(code 3, signal null\) before ready;[\s\S]*refusing to start/)
})

test('spawnNode: a child that never gets ready is killed after readyTimeoutMs', async () => {
  await assert.rejects(spawnNode(fixture, [], { MODE: 'silent' }, { readyTimeoutMs: 3000 }), /no \{"ready":true,"port":N\} line within 3000 ms/)
})
