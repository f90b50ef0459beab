// The CLI in-process: argument parsing, config checking, precedence, and `serve` on a real
// createServer() with injected stdout/stderr/signals. cli-process.test.ts spawns the binary.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { parseArgs, UsageError } from '../src/cli/args.js'
import { checkConfig, ConfigError } from '../src/cli/config.js'
import { runCli, type CliIo } from '../src/cli.js'
import { signJwt } from '../src/jwt.js'

test('parseArgs: flags, = form, booleans, help and version', () => {
  assert.deepEqual(parseArgs(['serve', '--port', '0', '--host=0.0.0.0', '--ready-json', '--api-key', 'k', '--log-level', 'warn']), {
    command: 'serve',
    args: { port: 0, host: '0.0.0.0', readyJson: true, apiKey: 'k', logLevel: 'warn' },
  })
  assert.deepEqual(parseArgs(['serve']), { command: 'serve', args: { readyJson: false } })
  assert.deepEqual(parseArgs(['--help']), { command: 'help' })
  assert.deepEqual(parseArgs(['serve', '-v']), { command: 'version' })
})

test('parseArgs: every mistake is a UsageError', () => {
  const bad = [[], ['start'], ['serve', '--port'], ['serve', '--port', '70000'], ['serve', '--port', '-1'], ['serve', '--port', '8e3'],
    ['serve', '--api-kee', 'k'], ['serve', '--port', '1', '--port', '2'], ['serve', 'extra'], ['serve', '--ready-json=yes'],
    ['serve', '--config', '--port'], ['serve', '--log-level', 'loud'], ['serve', '--host=']]
  for (const argv of bad) assert.throws(() => parseArgs(argv), UsageError, argv.join(' '))
})

test('checkConfig: a full valid config maps onto server options', () => {
  const config = checkConfig({
    port: 9000, host: '0.0.0.0', path: '/socket', nodeId: 'n1', logLevel: 'warn',
    allowedOrigins: ['https://app.example.com'],
    namespaces: [{ match: 'chat:*', historySize: 50, historyTtlMs: 60_000, presence: true, subscribe: 'authenticated', publish: 'subscribers', read: 'subscribers' }],
    limits: { maxMessageSize: 32768, maxSubscriptions: 16 },
    pingIntervalMs: 20_000, pongTimeoutMs: 5_000, resumeWindowMs: 30_000, idempotencyWindowMs: 600_000,
    jwt: { secret: 's'.repeat(32), algorithms: ['HS256'], issuer: 'me', audience: 'you', infoClaim: 'info' },
  })
  assert.deepEqual(config.server.namespaces, [{ match: 'chat:*', historySize: 50, historyTtlMs: 60_000, presence: true, subscribe: 'authenticated', publish: 'subscribers', read: 'subscribers' }])
  assert.deepEqual(config.server.limits, { maxMessageSize: 32768, maxSubscriptions: 16 })
  assert.equal(config.server.path, '/socket')
  assert.equal(config.logLevel, 'warn')
  assert.deepEqual(config.jwt?.algorithms, ['HS256'])
})

test('checkConfig: reports every problem with its path', () => {
  const err = (() => {
    try {
      checkConfig({ port: 'x', presense: true, namespaces: [{ match: 'chat:*', histrySize: 5, publish: 'everyone' }], limits: { maxMessageSize: -1, speed: 3 }, jwt: { secret: 'short', algorithms: ['none'] } }, 'my.json')
    } catch (e) {
      return e
    }
    return undefined
  })()
  assert.ok(err instanceof ConfigError)
  for (const fragment of ['my.json: invalid configuration', 'port must be', 'presense is not a known option', 'namespaces[0].histrySize is not a known', 'namespaces[0].publish must be one of',
    'limits.maxMessageSize must be a positive number', 'limits.speed is not a known limit', 'jwt.secret must be at least 32 bytes', 'jwt.algorithms must be'])
    assert.ok(err.message.includes(fragment), `${fragment} in\n${err.message}`)
  assert.throws(() => checkConfig([]), ConfigError)
})

interface Captured {
  io: Partial<CliIo>
  out: () => string
  err: () => string
  signal: (name?: string) => void
}

function capture(env: Record<string, string | undefined> = {}): Captured {
  let out = ''
  let err = ''
  const handlers = new Set<(s: string) => void>()
  return {
    io: {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env,
      onSignal: (h) => {
        handlers.add(h)
        return () => handlers.delete(h)
      },
    },
    out: () => out,
    err: () => err,
    signal: (name = 'SIGTERM') => [...handlers].forEach((h) => h(name)),
  }
}

/** Waits (bounded: 200 × 25 ms) for the ready line of `serve --ready-json`. */
async function readyPort(c: Captured): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const line = c.out().split('\n').find((l) => l.startsWith('{'))
    if (line !== undefined) return (JSON.parse(line) as { port: number }).port
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`not ready; stderr: ${c.err()}`)
}

function tempConfig(value: unknown): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'minisocket-cli-'))
  const file = join(dir, 'config.json')
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value))
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

test('runCli: usage and config errors exit 2 with a clear message', async () => {
  const usage = capture()
  assert.equal(await runCli(['serve', '--prot', '1'], usage.io), 2)
  assert.match(usage.err(), /unknown option --prot[\s\S]*Usage: minisocket serve/)

  const missing = capture()
  assert.equal(await runCli(['serve', '--config', '/nonexistent/minisocket.json'], missing.io), 2)
  assert.match(missing.err(), /cannot read config file \/nonexistent\/minisocket.json: ENOENT/)

  const broken = tempConfig('{ "port": 80, }')
  const weakSecret = capture({ MINISOCKET_JWT_SECRET: 'short' })
  try {
    const c = capture()
    assert.equal(await runCli(['serve', '--config', broken.file], c.io), 2)
    assert.match(c.err(), /is not valid JSON/)
    assert.equal(await runCli(['serve', '--port', '0'], weakSecret.io), 2)
    assert.match(weakSecret.err(), /at least 32 bytes/)
    assert.ok(!weakSecret.err().includes('short'), 'the secret itself is not echoed')
  } finally {
    broken.cleanup()
  }
})

test('runCli serve: ready line, health over HTTP, SIGTERM → graceful stop with exit 0', async () => {
  const c = capture()
  const running = runCli(['serve', '--port', '0', '--ready-json'], c.io)
  try {
    const port = await readyPort(c)
    assert.match(c.out(), /^\{"ready":true,"port":\d+\}\n$/)
    const health = await fetch(`http://127.0.0.1:${port}/health`)
    assert.equal(health.status, 200)
    assert.equal((await health.json()).status, 'ok')
  } finally {
    c.signal()
  }
  assert.equal(await running, 0)
  assert.match(c.err(), /"msg":"shutting down","signal":"SIGTERM"/)
})

async function bannerPort(c: Captured): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(c.out())?.[1] ?? 0)
    if (port > 0) return port
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`no banner; stderr: ${c.err()}`)
}

test('runCli serve: the banner names the endpoints; --api-key beats MINISOCKET_API_KEY beats the config file', async () => {
  const config = tempConfig({ apiKey: 'file-key-123', namespaces: [{ match: 'chat:*', historySize: 10, presence: true }] })
  const scenarios = [
    { flags: [], accepted: 'env-key-123', refused: ['file-key-123'] },
    { flags: ['--api-key', 'flag-key-123'], accepted: 'flag-key-123', refused: ['env-key-123', 'file-key-123'] },
  ]
  try {
    for (const { flags, accepted, refused } of scenarios) {
      const c = capture({ MINISOCKET_API_KEY: 'env-key-123' })
      const running = runCli(['serve', '--port', '0', '--config', config.file, ...flags], c.io)
      try {
        const port = await bannerPort(c)
        for (const fragment of [`ws://127.0.0.1:${port}/ws`, `http://127.0.0.1:${port}/api/publish`, `http://127.0.0.1:${port}/health`, `http://127.0.0.1:${port}/metrics`, 'chat:* (history 10, presence)'])
          assert.ok(c.out().includes(fragment), `${fragment} in banner:\n${c.out()}`)
        const publish = (key: string) =>
          fetch(`http://127.0.0.1:${port}/api/publish`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-API-Key': key }, body: '{"channel":"chat:1","data":1}' })
        assert.equal((await publish(accepted)).status, 200, accepted)
        for (const key of refused) assert.equal((await publish(key)).status, 401, key)
        assert.ok(!c.err().includes('-key-123') && !c.out().includes('-key-123'), 'keys are never printed')
      } finally {
        c.signal()
        assert.equal(await running, 0)
      }
    }
  } finally {
    config.cleanup()
  }
})

test('runCli serve with a JWT secret: forged token refused before the upgrade, a valid one connects', async () => {
  const secret = 'cli-test-secret-that-is-long-enough-32'
  const c = capture({ MINISOCKET_JWT_SECRET: secret })
  const running = runCli(['serve', '--port', '0', '--ready-json', '--log-level', 'silent'], c.io)
  const sockets: WebSocket[] = []
  try {
    const port = await readyPort(c)
    const open = (token: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Authorization: `Bearer ${token}` } })
        sockets.push(ws)
        ws.on('open', () => resolve('open'))
        ws.on('unexpected-response', (_req, res) => resolve(`http ${res.statusCode}`))
        ws.on('error', (e) => resolve(`error ${e.message}`))
      })
    assert.equal(await open(await signJwt({ sub: 'alice' }, { secret: 'x'.repeat(32) })), 'http 401')
    assert.equal(await open(await signJwt({ sub: 'alice' }, { secret })), 'open')
  } finally {
    for (const ws of sockets) ws.terminate()
    c.signal()
  }
  assert.equal(await running, 0)
})

test('docs/cli.md: the example config is valid and serves with the banner the doc shows', async () => {
  const doc = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8')
  const example = /```json\n([\s\S]*?)```/.exec(doc)?.[1]
  assert.ok(example !== undefined, 'docs/cli.md has a json example')
  const parsed = checkConfig(JSON.parse(example), 'docs/cli.md')
  assert.equal(parsed.server.namespaces?.length, 3)
  const config = tempConfig(example)
  const c = capture()
  const running = runCli(['serve', '--port', '0', '--config', config.file, '--log-level', 'silent'], c.io)
  try {
    const port = await bannerPort(c)
    for (const fragment of ['Auth        JWT', 'Origins     https://app.example.com', 'chat:* (history 100, presence, publish: subscribers)', 'news:* (history 20, publish: none)', `ws://127.0.0.1:${port}/ws`])
      assert.ok(c.out().includes(fragment), `${fragment} in\n${c.out()}`)
  } finally {
    c.signal()
    assert.equal(await running, 0)
    config.cleanup()
  }
})

/** A capture whose stdout sends `count` signals the moment the banner is written (a supervisor that reacts at once). */
function signalOnBanner(count: number): Captured & { io: Partial<CliIo> } {
  const c = capture()
  let sent = false
  const write = c.io.stdout!.write
  c.io.stdout = {
    write: (s: string) => {
      const r = write(s)
      if (!sent && /WebSocket\s+ws:/.test(s)) {
        sent = true
        for (let i = 0; i < count; i++) c.signal('SIGINT')
      }
      return r
    },
  }
  return c
}

test('runCli: a signal sent while the banner is being written is not lost (listeners come first)', { timeout: 10_000 }, async () => {
  const c = signalOnBanner(1)
  assert.equal(await runCli(['serve', '--port', '0'], c.io), 0)
  assert.match(c.out(), /minisocket: stopped\n$/)
})

test('runCli: a second signal while draining stops at once, exit 1', { timeout: 10_000 }, async () => {
  const c = signalOnBanner(2)
  assert.equal(await runCli(['serve', '--port', '0'], c.io), 1)
  assert.match(c.out(), /minisocket: stopped without a full drain\n$/)
})
