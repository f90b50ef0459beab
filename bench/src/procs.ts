/**
 * Child processes of a run: peer servers (JSON lines over stdin/stdout) and load-generator
 * workers (IPC). Each is pinned with `taskset -c` when available: the server to one core, the
 * load generator to the other. Every child is registered so that it is killed when the runner
 * exits, however it exits; the children also exit by themselves when their pipe to us closes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const live = new Set<ChildProcess>()
let hooksInstalled = false

function installExitHooks(): void {
  if (hooksInstalled) return
  hooksInstalled = true
  process.on('exit', () => { for (const c of live) c.kill('SIGKILL') })
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of live) c.kill('SIGKILL')
      process.exit(130)
    })
  }
}

let tasksetCache: boolean | undefined
export function hasTaskset(): boolean {
  tasksetCache ??= spawnSync('taskset', ['-c', '0', 'true']).status === 0
  return tasksetCache
}

/** Env for every child: ws's optional native add-ons off, so all peers run the same JS paths. */
const childEnv = { ...process.env, WS_NO_BUFFER_UTIL: '1', WS_NO_UTF_8_VALIDATE: '1' }

function spawnNode(file: string, cpu: string | null, stdio: Array<'pipe' | 'ignore' | 'inherit' | 'ipc'>, extraNodeArgs: string[] = []): ChildProcess {
  installExitHooks()
  const nodeArgs = ['--import', 'tsx', ...extraNodeArgs, file]
  const child = cpu !== null && hasTaskset()
    ? spawn('taskset', ['-c', cpu, process.execPath, ...nodeArgs], { cwd: repoRoot, env: childEnv, stdio })
    : spawn(process.execPath, nodeArgs, { cwd: repoRoot, env: childEnv, stdio })
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

/** `node --cpu-prof` into `<dir>/<name>-<time>/` (one file per thread), or nothing without a dir. */
function cpuProfArgs(dir: string | undefined, name: string): string[] {
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}/${name}-${Date.now()}`] : []
}

type Message = Record<string, unknown>
interface Waiter { id: number; match: (m: Message) => boolean; resolve: (m: Message) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

/** Request/response over a message stream: replies carry the request's id. */
class Channel {
  private nextId = 1
  private readonly waiters = new Set<Waiter>()
  private exited: Error | undefined

  constructor(private readonly name: string, private readonly write: (m: Message) => void) {}

  deliver(m: Message): void {
    for (const w of this.waiters) {
      if (m['id'] === w.id && w.match(m)) {
        this.waiters.delete(w)
        clearTimeout(w.timer)
        if (typeof m['error'] === 'string') w.reject(new Error(`${this.name}: ${m['error']}`))
        else w.resolve(m)
        return
      }
    }
  }

  fail(e: Error): void {
    this.exited = e
    for (const w of this.waiters) { clearTimeout(w.timer); w.reject(e) }
    this.waiters.clear()
  }

  /** Sends a command and returns one promise per expected reply (matched by id and predicate). */
  send(cmd: Message, expect: Array<(m: Message) => boolean>, timeoutMs: number): Array<Promise<Message>> {
    const id = this.nextId++
    const promises = expect.map((match) => new Promise<Message>((resolve, reject) => {
      if (this.exited) { reject(this.exited); return }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        reject(new Error(`${this.name}: no reply to ${String(cmd['cmd'])} within ${timeoutMs} ms`))
      }, timeoutMs)
      const waiter: Waiter = { id, match, resolve, reject, timer }
      this.waiters.add(waiter)
    }))
    this.write({ ...cmd, id })
    return promises
  }

  async request(cmd: Message, timeoutMs = 30_000): Promise<Message> {
    return this.send(cmd, [() => true], timeoutMs)[0]!
  }
}

export class ServerProc {
  private constructor(readonly peer: string, readonly child: ChildProcess, readonly channel: Channel, readonly port: number, readonly pid: number) {}

  /** `cpuProfDir`: run the server under `node --cpu-prof`, profile written there on exit. */
  static async start(peer: string, cpu: string | null, cpuProfDir?: string, timeoutMs = 30_000): Promise<ServerProc> {
    const file = `${benchDir}servers/${peer}.ts`
    // One directory per session: node writes one profile per thread (main + the tsx loader).
    const child = spawnNode(file, cpu, ['pipe', 'pipe', 'inherit'], ['--expose-gc', ...cpuProfArgs(cpuProfDir, peer)])
    const channel = new Channel(`server ${peer}`, (m) => child.stdin?.write(JSON.stringify(m) + '\n'))
    const ready = new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server ${peer} not ready within ${timeoutMs} ms`)), timeoutMs)
      const lines = createInterface({ input: child.stdout! })
      lines.on('line', (line) => {
        let m: Message
        try { m = JSON.parse(line) as Message } catch { return }
        if ('ready' in m) {
          clearTimeout(timer)
          if (m['ready'] === true) resolve(m)
          else reject(new Error(`server ${peer} failed: ${String(m['error'])}`))
        } else channel.deliver(m)
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        const e = new Error(`server ${peer} exited with ${code}`)
        channel.fail(e)
        reject(e)
      })
    })
    try {
      const m = await ready
      return new ServerProc(peer, child, channel, Number(m['port']), Number(m['pid']))
    } catch (e) {
      child.kill('SIGKILL')
      throw e
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.channel.send({ cmd: 'exit' }, [], 0)
    this.child.stdin?.end()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(timer)
  }
}

export class WorkerProc {
  private constructor(readonly child: ChildProcess, readonly channel: Channel) {}

  /** `cpuProfDir`: profile the worker too, as `loadgen-<peer>-<time>` (the client library's cost, e.g. for RPC). */
  static async start(cpu: string | null, cpuProfDir?: string, peer = '', timeoutMs = 30_000): Promise<WorkerProc> {
    const child = spawnNode(`${benchDir}src/loadgen/worker.ts`, cpu, ['ignore', 'inherit', 'inherit', 'ipc'], cpuProfArgs(cpuProfDir, `loadgen-${peer}`))
    const channel = new Channel('worker', (m) => { if (child.connected) child.send(m) })
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker not ready within ${timeoutMs} ms`)), timeoutMs)
      child.on('message', (raw) => {
        const m = raw as Message
        if (m['ready'] === true) { clearTimeout(timer); resolve() } else channel.deliver(m)
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        const e = new Error(`worker exited with ${code}`)
        channel.fail(e)
        reject(e)
      })
    })
    try {
      await ready
      return new WorkerProc(child, channel)
    } catch (e) {
      child.kill('SIGKILL')
      throw e
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.channel.request({ cmd: 'close' }, 5000).catch(() => undefined)
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
}
