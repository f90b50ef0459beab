/**
 * Starts server nodes (fixtures/node.ts) as separate processes for the multi-node tests, and
 * kills them. Every node a test starts must be stopped in `finally` (stopAll).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('./fixtures/node.ts', import.meta.url))

export interface NodeProcess {
  readonly id: string
  readonly port: number
  readonly url: string
  readonly pid: number
  /** kill -9 and wait for the exit. */
  kill9(): Promise<void>
}

export interface NodeSettings {
  redisUrl: string
  prefix: string
  pingIntervalMs?: number
  pongTimeoutMs?: number
}

export async function startNode(id: string, settings: NodeSettings): Promise<NodeProcess> {
  const config = { redisUrl: settings.redisUrl, prefix: settings.prefix, nodeId: id, pingIntervalMs: settings.pingIntervalMs ?? 500, pongTimeoutMs: settings.pongTimeoutMs ?? 500 }
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`node ${id} not ready within 15 s: ${out} ${err}`))
    }, 15_000)
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const line = out.split('\n').find((l) => l.includes('"ready"'))
      if (line === undefined) return
      clearTimeout(timer)
      resolve((JSON.parse(line) as { port: number }).port)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`node ${id} exited with ${code}: ${out} ${err}`))
    })
  })
  child.removeAllListeners('exit')
  return {
    id,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    pid: child.pid ?? -1,
    kill9: () => kill(child),
  }
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

export async function stopAll(nodes: Iterable<NodeProcess | undefined>): Promise<void> {
  await Promise.all([...nodes].map((n) => n?.kill9()))
}
