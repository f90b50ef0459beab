/**
 * A network namespace of the test's own, reached over two veth pairs (research/reliability.md
 * §3b): one link for subscribers (the one a test cuts), one for the publisher (left alone).
 * Needs root and iproute2; `netnsAvailable()` says why not otherwise, so the test can skip with
 * that reason. Everything is removed by `remove()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { FixtureConfig } from './fixture/config.js'

const ip = (...args: string[]): string => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString()

/** undefined when namespaces can be made here, otherwise the reason they cannot. */
export function netnsAvailable(): string | undefined {
  const probe = `msprobe${process.pid % 100_000}`
  try {
    ip('netns', 'add', probe)
    ip('netns', 'del', probe)
    return undefined
  } catch (err) {
    return `ip netns add failed (${(err as Error).message.split('\n')[0]}): needs root and iproute2`
  }
}

/** undefined when iptables exists, otherwise the reason (one-way drops need it). */
export function iptablesAvailable(): string | undefined {
  try {
    execFileSync('iptables', ['--version'], { stdio: 'ignore' })
    return undefined
  } catch {
    return 'iptables is not installed (apt-get install -y --no-install-recommends iptables)'
  }
}

export interface Namespace {
  name: string
  /** Address of the namespace on the subscribers' link / the publisher's link. */
  subAddress: string
  pubAddress: string
  /** Host-side interface of the subscribers' link: `ip link set <it> down` partitions them. */
  subLink: string
  setLink(up: boolean): void
  /** Runs `iptables` inside the namespace. */
  iptables(...args: string[]): void
  remove(): void
}

export function createNamespace(): Namespace {
  const id = process.pid % 100_000
  const name = `msr${id}`
  const octet = (process.pid % 200) + 20
  const links = [
    { host: `msa${id}`, peer: `msb${id}`, net: `10.231.${octet}` },
    { host: `msc${id}`, peer: `msd${id}`, net: `10.232.${octet}` },
  ]
  const remove = (): void => {
    for (const args of [['netns', 'del', name], ...links.map((l) => ['link', 'del', l.host])]) {
      try {
        ip(...args)
      } catch {
        // already gone
      }
    }
  }
  remove()
  try {
    ip('netns', 'add', name)
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up')
    for (const l of links) {
      ip('link', 'add', l.host, 'type', 'veth', 'peer', 'name', l.peer)
      ip('link', 'set', l.peer, 'netns', name)
      ip('addr', 'add', `${l.net}.1/30`, 'dev', l.host)
      ip('link', 'set', l.host, 'up')
      ip('netns', 'exec', name, 'ip', 'addr', 'add', `${l.net}.2/30`, 'dev', l.peer)
      ip('netns', 'exec', name, 'ip', 'link', 'set', l.peer, 'up')
    }
  } catch (err) {
    remove()
    throw err
  }
  const [sub, pub] = links as [(typeof links)[0], (typeof links)[0]]
  return {
    name,
    subAddress: `${sub.net}.2`,
    pubAddress: `${pub.net}.2`,
    subLink: sub.host,
    setLink: (up) => void ip('link', 'set', sub.host, up ? 'up' : 'down'),
    iptables: (...args) => void execFileSync('ip', ['netns', 'exec', name, 'iptables', ...args], { stdio: 'ignore' }),
    remove,
  }
}

export interface NsNode {
  port: number
  child: ChildProcess
  stop(): Promise<void>
}

/** Starts the fixture node inside the namespace, listening on every address there. */
export async function startNodeIn(ns: Namespace, config: FixtureConfig): Promise<NsNode> {
  const script = fileURLToPath(new URL('./fixture/node.ts', import.meta.url))
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '--import', import.meta.resolve('tsx'), script], {
    env: { ...process.env, RELIABILITY_CONFIG: JSON.stringify({ ...config, host: '0.0.0.0' }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node in ${ns.name} not ready: ${stderr}`)), 20_000)
    void exited.then(() => reject(new Error(`node in ${ns.name} exited: ${stderr}`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('"ready"')) return
      clearTimeout(timer)
      resolve((JSON.parse(line) as { port: number }).port)
    })
  })
  return {
    port,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGKILL')
      await exited
    },
  }
}
