/**
 * Starts a throwaway redis-server for a test on a free loopback port, without persistence
 * (`--save '' --appendonly no`). Stop it in `finally` / t.after. `kill9()` + `restart()` on
 * the same port simulate Redis crashing and coming back empty.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'

/** Why redis-server cannot run here, or undefined when it can. */
export function redisMissingReason(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (probe.error !== undefined || probe.status !== 0) return 'redis-server is not installed (apt-get install redis-server; .ci/run installs it)'
  return undefined
}

/** A port nobody listens on right now (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('freePort: no port')
  return address.port
}

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** kill -9: no shutdown, nothing saved. */
  kill9(): Promise<void>
  /** Starts again on the same port: empty, or from its AOF when started with `aof`. */
  restart(): Promise<void>
  /** Stops it (SIGKILL; there is nothing to save). Harmless twice. */
  stop(): Promise<void>
}

function launch(port: number, aofDir: string | undefined): Promise<ChildProcess> {
  // With aofDir: AOF fsynced on every write, so a kill -9 loses nothing (the restart reloads it).
  const persistence = aofDir === undefined ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', aofDir]
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => fail(new Error(`redis-server on ${port} not ready within 5 s: ${output}`)), 5000)
    const fail = (err: Error): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(err)
    }
    child.once('error', fail)
    child.once('exit', (code) => fail(new Error(`redis-server exited with ${code}: ${output}`)))
    // Ready means answering PING (the log line depends on the log level).
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    void waitForPing(port, 5000).then(
      () => {
        clearTimeout(timer)
        child.removeAllListeners('exit')
        child.removeAllListeners('error')
        child.on('error', () => undefined)
        resolve(child)
      },
      (err: Error) => fail(err),
    )
  })
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (let i = 0; i < 500 && Date.now() < deadline; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => socket.write('PING\r\n'))
      socket.once('data', (data) => {
        socket.destroy()
        resolve(data.toString().startsWith('+PONG'))
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`redis on ${port} did not answer PING within ${timeoutMs} ms`)
}

function killAndWait(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

export interface StartOptions {
  /** Persist to an AOF (appendfsync always) in a fresh temp dir, removed by stop(). */
  aof?: boolean
}

export async function startRedis(options: StartOptions = {}): Promise<RedisServer> {
  const port = await freePort()
  const aofDir = options.aof === true ? mkdtempSync(join(tmpdir(), 'minisocket-redis-')) : undefined
  let child: ChildProcess | undefined = await launch(port, aofDir)
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill9() {
      await killAndWait(child)
      child = undefined
    },
    async restart() {
      await killAndWait(child)
      child = await launch(port, aofDir)
    },
    async stop() {
      await killAndWait(child)
      child = undefined
      if (aofDir !== undefined) rmSync(aofDir, { recursive: true, force: true })
    },
  }
}

/**
 * Call at the top of a test file. When redis-server is missing it registers one test that
 * fails under CI=true (CI must install it) or is skipped with the reason elsewhere, and returns
 * false: the file then registers nothing else.
 */
export function gateOnRedis(what: string): boolean {
  const missing = redisMissingReason()
  if (missing === undefined) return true
  if (process.env.CI === 'true') {
    it(`${what}: redis-server is required under CI`, () => {
      throw new Error(missing)
    })
  } else {
    console.log(`skipping ${what}: ${missing}`)
    it(what, { skip: missing }, () => undefined)
  }
  return false
}
