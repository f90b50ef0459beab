import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import type { Clock } from './fake-clock.js'
import { systemClock } from './system-clock.js'

/**
 * A port that was free on 127.0.0.1 a moment ago (the OS picks it: listen on 0, read, close).
 * Only for programs that cannot listen on port 0 themselves (redis-server); racy by nature.
 *
 * @example
 * const port = await freePort() // e.g. 41237
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('freePort: no TCP address')
  return address.port
}

export interface WaitForOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number
  /** Pause between tries (default 20 ms). */
  intervalMs?: number
  /** Names what was awaited in the timeout error. */
  message?: string
  clock?: Clock
}

/**
 * Polls `predicate` until it returns a truthy value, and returns that value. Bounded in time and
 * in tries; a predicate that throws counts as "not yet" and its last error is in the timeout error.
 *
 * @example
 * const port = await waitFor(() => readPortFile(), { timeoutMs: 2000, message: 'port file' })
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 5000, intervalMs = 20, message = 'condition', clock = systemClock } = options
  if (!(timeoutMs >= 0) || !(intervalMs > 0)) throw new RangeError(`waitFor: timeoutMs ≥ 0 and intervalMs > 0 required, got ${timeoutMs} / ${intervalMs}`)
  const deadline = clock.now() + timeoutMs
  const maxTries = Math.ceil(timeoutMs / intervalMs) + 1
  let lastError: unknown
  for (let tries = 0; tries < maxTries; tries++) {
    try {
      const value = await predicate()
      if (value) return value as NonNullable<T>
    } catch (err) {
      lastError = err
    }
    if (clock.now() >= deadline) break
    await new Promise<void>((resolve) => clock.setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - clock.now()))))
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
  throw new Error(`waitFor: ${message} not met within ${timeoutMs} ms${cause}`)
}

export interface SpawnedNode {
  /** The port from the child's ready line. */
  port: number
  pid: number
  /** The whole parsed ready line (it may carry more than `ready` and `port`). */
  ready: Record<string, unknown>
  /** Sends a signal (default SIGTERM); false if the process is already gone. */
  kill(signal?: NodeJS.Signals): boolean
  /** Resolves when the process has exited. */
  stopped: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGTERM, then SIGKILL after `graceMs` (default 3000); resolves once exited. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** The last stdout lines (at most 1000), ready line included. */
  stdout: string[]
  /** The last 64 KiB of stderr. */
  stderr(): string
}

export interface SpawnNodeOptions {
  /** Fail if the ready line does not come within this (default 15 000 ms). */
  readyTimeoutMs?: number
  cwd?: string
}

const MAX_LINES = 1000
const MAX_STDERR = 64 * 1024

/**
 * Starts `node --import tsx <scriptPath> ...args` with `env` added to this process's environment,
 * and resolves once the child prints a JSON line `{"ready":true,"port":N}` on stdout. If the child
 * exits first or is too slow, it is killed and the promise rejects with the end of its stderr.
 *
 * @example
 * const server = await spawnNode('test/fixtures/ready-server.ts', [], { MODE: 'echo' })
 * try {
 *   await fetch(`http://127.0.0.1:${server.port}/`)
 * } finally {
 *   await server.stop()
 * }
 */
export async function spawnNode(scriptPath: string, args: readonly string[] = [], env: Record<string, string> = {}, options: SpawnNodeOptions = {}): Promise<SpawnedNode> {
  const { readyTimeoutMs = 15_000 } = options
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), scriptPath, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stdout: string[] = []
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-MAX_STDERR)
  })
  const stopped = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`spawnNode ${scriptPath}: no {"ready":true,"port":N} line within ${readyTimeoutMs} ms; stderr:\n${stderr.slice(-2000)}`))
    }, readyTimeoutMs)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    void stopped.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`spawnNode ${scriptPath}: exited (code ${code}, signal ${signal}) before ready; stderr:\n${stderr.slice(-2000)}`))
    })
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout.push(line)
      if (stdout.length > MAX_LINES) stdout.shift()
      const parsed = parseReady(line)
      if (parsed) {
        clearTimeout(timer)
        resolve(parsed)
      }
    })
  })
  const kill = (signal: NodeJS.Signals = 'SIGTERM'): boolean => child.exitCode === null && child.signalCode === null && child.kill(signal)
  return {
    port: ready.port as number,
    pid: child.pid!,
    ready,
    kill,
    stopped,
    async stop(graceMs = 3000) {
      kill('SIGTERM')
      const timer = setTimeout(() => kill('SIGKILL'), graceMs)
      try {
        return await stopped
      } finally {
        clearTimeout(timer)
      }
    },
    stdout,
    stderr: () => stderr,
  }
}

function parseReady(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined
  try {
    const value = JSON.parse(line) as Record<string, unknown>
    return value.ready === true && Number.isInteger(value.port) ? value : undefined
  } catch {
    return undefined
  }
}
