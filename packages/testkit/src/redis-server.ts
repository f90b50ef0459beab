import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { freePort, waitFor } from './processes.js'

export interface StartRedisOptions {
  /**
   * AOF persistence in the instance's temp dir: `everysec` (Redis's default fsync, ≤ ~1 s of
   * writes lost on kill -9) or `always`. Default false: no persistence at all (`--save ''`).
   */
  appendonly?: false | 'everysec' | 'always'
  /** Sets `--requirepass`; the readiness PING authenticates with it and `url` carries it. */
  password?: string
  /** Extra redis-server arguments, e.g. `['--maxmemory', '64mb']`. */
  args?: readonly string[]
  /** How long to wait for PING to answer (default 10 000 ms). */
  readyTimeoutMs?: number
}

/** A redis-server child on 127.0.0.1 owned by one test. */
export interface RedisInstance {
  readonly port: number
  /** `redis://127.0.0.1:<port>` (`redis://:<password>@127.0.0.1:<port>` with a password) */
  readonly url: string
  /** pid of the current process (it changes on restart). */
  readonly pid: number
  /** Temp dir holding the AOF files (removed by `stop()`). */
  readonly dir: string
  /** SIGKILL, like a crash: nothing flushed. `restart()` brings it back on the same port and dir. */
  kill9(): Promise<void>
  /** Stops it if running (SIGTERM), then starts it again on the same port and dir (AOF replayed). */
  restart(): Promise<void>
  /** SIGTERM (SIGKILL after 5 s), then removes the temp dir. Final and idempotent. */
  stop(): Promise<void>
}

const INSTALL_HINT = 'install it with: apt-get update && apt-get install -y --no-install-recommends redis-server'

/** Full path of `redis-server` on PATH, or undefined. */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, 'redis-server')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this PATH entry
    }
  }
  return undefined
}

/** Sends PING over RESP (after AUTH when a password is given); true once it answers `+PONG`. */
export async function pingRedis(port: number, options: { password?: string; timeoutMs?: number } = {}): Promise<boolean> {
  const bulk = (parts: string[]): string => `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`
  const auth = options.password === undefined ? '' : bulk(['AUTH', options.password])
  const replies = auth ? 2 : 1
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let text = ''
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(options.timeoutMs ?? 1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write(auth + bulk(['PING'])))
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1')
      const lines = text.split('\r\n')
      if (lines.length > replies) done(lines[replies - 1] === '+PONG')
    })
  })
}

/**
 * Starts a private redis-server on a free loopback port, no persistence unless asked.
 * Redis cannot listen on port 0, so the port comes from {@link freePort}.
 * Throws, naming the apt-get command, if redis-server is not installed.
 *
 * @example
 * const redis = await startRedis({ appendonly: 'always' })
 * try {
 *   // ... connect to redis.url, publish ...
 *   await redis.kill9()
 *   await redis.restart() // AOF replayed: acknowledged writes are back
 * } finally {
 *   await redis.stop()
 * }
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisInstance> {
  const binary = findRedisServer()
  if (!binary) throw new Error(`startRedis: redis-server is not on PATH; ${INSTALL_HINT}`)
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'minisocket-redis-'))
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--daemonize', 'no', '--logfile', '',
    ...(options.appendonly ? ['--appendonly', 'yes', '--appendfsync', options.appendonly] : ['--appendonly', 'no']),
    ...(options.password === undefined ? [] : ['--requirepass', options.password]),
    ...(options.args ?? []),
  ]
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  let log = ''
  let final = false

  const launch = async (): Promise<void> => {
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    log = ''
    const keep = (d: Buffer): void => {
      log = (log + d.toString('utf8')).slice(-8192)
    }
    proc.stdout?.on('data', keep)
    proc.stderr?.on('data', keep)
    exited = new Promise((resolve) => proc.once('close', () => resolve()))
    let gone = false
    void exited.then(() => (gone = true))
    await waitFor(async () => {
      if (gone) throw new Error(`redis-server exited during start-up:\n${log.slice(-2000)}`)
      return pingRedis(port, options.password === undefined ? {} : { password: options.password })
    }, { timeoutMs: options.readyTimeoutMs ?? 10_000, intervalMs: 25, message: `redis-server PONG on port ${port}` }).catch(async (err: unknown) => {
      proc.kill('SIGKILL')
      await exited
      throw err
    })
  }

  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null
  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    if (!running()) return exited
    child!.kill(signal)
    const escalate = setTimeout(() => child?.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(escalate)
  }

  try {
    await launch()
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return {
    port,
    url: options.password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? -1
    },
    dir,
    kill9: () => terminate('SIGKILL'),
    async restart() {
      if (final) throw new Error('startRedis: restart() after stop(); start a new instance instead')
      await terminate('SIGTERM')
      await launch()
    },
    async stop() {
      final = true
      await terminate('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
