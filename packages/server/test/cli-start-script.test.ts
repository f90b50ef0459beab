// `npm start` (scripts/start.mjs): the bare server on its embedded defaults.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'

const script = new URL('../../../scripts/start.mjs', import.meta.url).pathname

test('npm start: serves PORT with the embedded chat/news/live namespaces; SIGTERM → exit 0', async () => {
  const key = 'start-script-test-key'
  const child = spawn(process.execPath, [script, '--ready-json'], {
    env: { ...process.env, PORT: '0', MINISOCKET_API_KEY: key, MINISOCKET_JWT_SECRET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr.on('data', (b: Buffer) => (err += b.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    let port = 0
    for (let i = 0; i < 300 && port === 0 && child.exitCode === null; i++) {
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line !== undefined) port = (JSON.parse(line) as { port: number }).port
      else await new Promise((r) => setTimeout(r, 50))
    }
    assert.ok(port > 0, `ready line; stderr: ${err}`)
    const base = `http://127.0.0.1:${port}`
    const publish = (channel: string) =>
      fetch(`${base}/api/publish`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-API-Key': key }, body: JSON.stringify({ channel, data: { text: 'hi' } }) })
    const chat = await publish('chat:lobby')
    assert.equal(chat.status, 200)
    assert.equal((await chat.json()).offset, 1, 'chat:* keeps history')
    assert.deepEqual(await (await publish('live:cursor')).json(), { channel: 'live:cursor' }, 'live:* has no history')
    assert.equal((await publish('other:1')).status, 404, 'channels outside the namespaces are unknown')
    const presence = await fetch(`${base}/api/presence?channel=chat:lobby`, { headers: { 'X-API-Key': key } })
    assert.equal(presence.status, 200, 'chat:* has presence')
    child.kill('SIGTERM')
    assert.equal(await exited, 0)
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
})
