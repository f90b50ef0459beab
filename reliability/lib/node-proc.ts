/**
 * Starts fixture nodes (lib/fixture/node.ts) as child processes and talks to their control port.
 * A handle survives restarts: `kill9()` then `restart()` brings the node back on the same port
 * (clients reconnect to the same URL), with a new pid.
 */
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { spawnNode, type SpawnedNode } from '@minisocket/testkit'
import type { FixtureConfig, FixtureStatus } from './fixture/config.js'

const script = fileURLToPath(new URL('./fixture/node.ts', import.meta.url))

export interface NodeHandle {
  readonly port: number
  /** ws://127.0.0.1:<port>/ws */
  readonly url: string
  /** http://127.0.0.1:<port> (HTTP API, health) */
  readonly http: string
  /** pid of the current process (changes on restart). */
  readonly pid: number
  readonly alive: boolean
  status(): Promise<FixtureStatus>
  /** Forces GC in the node and returns its status after it. */
  gc(): Promise<FixtureStatus>
  resetLag(): Promise<void>
  logs(): Promise<string[]>
  kill9(): Promise<void>
  /** Sends a signal (SIGSTOP / SIGCONT for a pause, SIGTERM for a graceful close). */
  signal(sig: NodeJS.Signals): void
  /** Resolves when the current process has exited. */
  exited(): Promise<unknown>
  /** Starts the node again on the same port (after kill9). */
  restart(): Promise<void>
  /** SIGTERM (graceful close), SIGKILL after 3 s. Idempotent. */
  stop(): Promise<void>
  stderr(): string
}

export async function startNode(config: FixtureConfig = {}): Promise<NodeHandle> {
  let current: SpawnedNode
  let port = config.port ?? 0
  let control = 0
  let alive = false
  const spawn = async (): Promise<void> => {
    current = await spawnNode(script, [], { RELIABILITY_CONFIG: JSON.stringify({ ...config, port }) }, { readyTimeoutMs: 20_000 })
    port = current.port
    control = current.ready['control'] as number
    alive = true
    void current.stopped.then(() => {
      alive = false
    })
  }
  await spawn()
  const call = async <T>(path: string, method = 'GET'): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${control}${path}`, { method, signal: AbortSignal.timeout(10_000) })
    return (await res.json()) as T
  }
  return {
    get port() {
      return port
    },
    get url() {
      return `ws://127.0.0.1:${port}/ws`
    },
    get http() {
      return `http://127.0.0.1:${port}`
    },
    get pid() {
      return current.pid
    },
    get alive() {
      return alive
    },
    status: () => call<FixtureStatus>('/status'),
    gc: () => call<FixtureStatus>('/gc', 'POST'),
    resetLag: async () => {
      await call('/lag/reset', 'POST')
    },
    logs: () => call<string[]>('/logs'),
    async kill9() {
      if (!alive) return
      current.kill('SIGKILL')
      await current.stopped
    },
    signal(sig) {
      current.kill(sig)
    },
    exited: () => current.stopped,
    async restart() {
      assert.equal(alive, false, 'restart() is for a node that was killed')
      // The port was just released by a killed process; a moment of TIME_WAIT never blocks a
      // listener (SO_REUSEADDR), but another process could take it: retry a few times.
      for (let attempt = 0; ; attempt++) {
        try {
          await spawn()
          return
        } catch (err) {
          if (attempt >= 5) throw err
          await new Promise((r) => setTimeout(r, 100))
        }
      }
    },
    async stop() {
      if (!alive) return
      await current.stop(3000)
    },
    stderr: () => current.stderr(),
  }
}

/**
 * The node took every hostile input without a crash: same pid, still answering, 0 uncaught
 * exceptions and unhandled rejections, prototypes untouched (reliability.md S14, S16).
 */
export async function assertSurvived(node: NodeHandle, pid: number, prototypeKeys: readonly string[]): Promise<FixtureStatus> {
  assert.equal(node.alive, true, `node died; stderr:\n${node.stderr().slice(-2000)}`)
  const s = await node.status()
  assert.equal(s.pid, pid, 'pid changed')
  assert.deepEqual(s.errors, [], 'uncaught exceptions / unhandled rejections in the node')
  assert.equal(s.uncaught, 0)
  assert.equal(s.unhandled, 0)
  assert.deepEqual(s.prototypeKeys, prototypeKeys, 'Object/Array prototype changed in the node')
  return s
}

/**
 * RSS after a forced GC. V8 and the allocator give memory back lazily, so this retries a few
 * times, bounded, until it is within `ratio` of `baselineKiB` (or returns the last reading).
 */
export async function settledRss(node: NodeHandle, baselineKiB: number, ratio = 1.1, tries = 10): Promise<number> {
  let rss = Infinity
  for (let i = 0; i < tries; i++) {
    rss = (await node.gc()).rssKiB
    if (rss <= baselineKiB * ratio) return rss
    await new Promise((r) => setTimeout(r, 300))
  }
  return rss
}
