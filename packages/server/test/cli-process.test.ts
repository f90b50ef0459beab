// The `minisocket` binary as a process: what a supervisor or `npm start` sees.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const bin = new URL('../bin/minisocket.mjs', import.meta.url).pathname

interface Run {
  child: ChildProcess
  out: () => string
  err: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function start(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, MINISOCKET_API_KEY: '', MINISOCKET_JWT_SECRET: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return { child, out: () => out, err: () => err, exited }
}

/** Bounded wait (at most 15 s) for a condition on the process output. */
async function waitFor<T>(run: Run, read: () => T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = read()
    if (v !== undefined) return v
    if (run.child.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out; stdout=${run.out()} stderr=${run.err()}`)
}

function stop(run: Run): void {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL')
}

test('serve --port 0 --ready-json: one JSON line, healthy over HTTP, SIGTERM → exit 0', async () => {
  const run = start(['serve', '--port', '0', '--ready-json'])
  try {
    const line = await waitFor(run, () => run.out().split('\n').find((l) => l.startsWith('{')))
    const ready = JSON.parse(line) as { ready: boolean; port: number }
    assert.equal(ready.ready, true)
    assert.ok(ready.port > 0)
    const health = await fetch(`http://127.0.0.1:${ready.port}/health`)
    assert.equal(health.status, 200)
    assert.deepEqual(Object.keys(await health.json()).sort(), ['channels', 'connections', 'status', 'subscriptions', 'uptimeSeconds'])
    run.child.kill('SIGTERM')
    assert.deepEqual(await run.exited, { code: 0, signal: null })
    assert.equal(run.out(), `${line}\n`, 'stdout holds the ready line only')
  } finally {
    stop(run)
  }
})

test('SIGINT stops the banner mode cleanly too', async () => {
  const run = start(['serve', '--port', '0'])
  try {
    await waitFor(run, () => (/WebSocket\s+ws:\/\/127\.0\.0\.1:\d+\/ws/.test(run.out()) ? true : undefined))
    run.child.kill('SIGINT')
    assert.deepEqual(await run.exited, { code: 0, signal: null })
    assert.match(run.out(), /minisocket: stopped\n$/)
  } finally {
    stop(run)
  }
})

test('a bad config file → exit 2 with the problems listed, nothing listening', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'minisocket-cli-'))
  const file = join(dir, 'bad.json')
  writeFileSync(file, JSON.stringify({ namespaces: [{ match: 'chat:*', presense: true }], pingIntervalMs: -5 }))
  const run = start(['serve', '--port', '0', '--config', file])
  try {
    assert.deepEqual(await run.exited, { code: 2, signal: null })
    assert.match(run.err(), /invalid configuration/)
    assert.match(run.err(), /namespaces\[0\]\.presense is not a known namespace option/)
    assert.match(run.err(), /pingIntervalMs must be a positive integer/)
    assert.equal(run.out(), '')
  } finally {
    stop(run)
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a port already in use → exit 1 with the reason', async () => {
  const first = start(['serve', '--port', '0', '--ready-json'])
  try {
    const line = await waitFor(first, () => first.out().split('\n').find((l) => l.startsWith('{')))
    const { port } = JSON.parse(line) as { port: number }
    const second = start(['serve', '--port', String(port)])
    try {
      assert.deepEqual(await second.exited, { code: 1, signal: null })
      assert.match(second.err(), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE`))
    } finally {
      stop(second)
    }
  } finally {
    first.child.kill('SIGTERM')
    await first.exited
    stop(first)
  }
})
