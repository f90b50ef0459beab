/**
 * The load generator's CPU per RPC round trip through each Node transport, in one process on one
 * core, against one server on the other: @minisocket/client over its built-in WebSocket client
 * ('builtin') and over `ws` ('ws'), the bare `ws` dialect of the bench ('bare') and
 * socket.io-client against a socket.io server ('socketio'); as yardsticks, the bench's ws echo
 * under a `ws` client ('wsecho') and a 75-byte message echoed over plain TCP ('tcp': the
 * loopback write and read alone, the floor of every closed loop on the VM). 100 connections in
 * a closed loop, a 3 s window per kind, kinds interleaved per round so that the VM's drift hits
 * all alike. bench/analysis.md quotes it.
 *   taskset -c 1 node --import tsx bench/src/micro/node-transport.ts [kinds=builtin,ws,bare,socketio] [rounds=4]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { basename } from 'node:path'
import { createInterface } from 'node:readline'
import { WebSocket } from 'ws'
import { createClient, nodeAdapter } from '@minisocket/client/node'
import { connectClient, type BenchConn } from '../loadgen/clients.js'

/** A bench peer's server script in bench/servers. */
const peerScript = (peer: string): string => new URL(`../../servers/${peer}.ts`, import.meta.url).pathname
const pad = 'x'.repeat(48)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** A server script pinned to core 0; resolves with its port once it is listening. */
function startServer(script: string): Promise<{ port: number; proc: ChildProcess }> {
  const name = basename(script)
  const proc = spawn('taskset', ['-c', '0', process.execPath, '--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s`)), 20_000)
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const m = JSON.parse(line) as { ready?: boolean; port?: number }
      if (m.ready) {
        clearTimeout(timer)
        resolve({ port: m.port!, proc })
      }
    })
  })
}

async function viaClient(port: number, ws: boolean): Promise<BenchConn> {
  const client = createClient({ url: `ws://127.0.0.1:${port}/ws`, adapter: ws ? nodeAdapter(WebSocket) : nodeAdapter() })
  await new Promise<void>((resolve) => {
    client.on('connected', () => resolve())
    client.connect()
  })
  return {
    subscribe: () => Promise.resolve(),
    request: (tUs, p, cb) => void client.rpc('echo', { t: tUs, p }).then((reply) => cb((reply as { t: number }).t)),
    close: () => client.close(),
  }
}

/** One 75-byte message per request over plain TCP; a reply is whatever comes back (one chunk each, in a closed loop). */
function viaTcp(port: number): Promise<BenchConn> {
  const message = Buffer.from(`{"type":"rpc","id":1,"method":"echo","data":{"t":1,"p":"${pad.slice(0, 21)}"}}`)
  return new Promise((resolve, reject) => {
    let onReply: (() => void) | undefined
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.setNoDelay(true)
      resolve({
        subscribe: () => Promise.resolve(),
        request: (_t, _p, cb) => {
          onReply = () => cb(1)
          socket.write(message)
        },
        close: () => socket.destroy(),
      })
    })
    socket.on('data', () => onReply?.())
    socket.on('error', reject)
  })
}

const bad = (): void => {
  throw new Error('bad frame')
}
const kinds: Record<string, { server: string; connect: (port: number) => Promise<BenchConn> }> = {
  builtin: { server: peerScript('minisocket'), connect: (port) => viaClient(port, false) },
  ws: { server: peerScript('minisocket'), connect: (port) => viaClient(port, true) },
  bare: { server: peerScript('minisocket'), connect: (port) => connectClient({ kind: 'minisocket', port, timeoutMs: 5000, onDelivery: bad, onBadFrame: bad }) },
  socketio: { server: peerScript('socketio'), connect: (port) => connectClient({ kind: 'socketio', port, timeoutMs: 5000, onDelivery: bad, onBadFrame: bad }) },
  wsecho: { server: peerScript('ws-naive'), connect: (port) => connectClient({ kind: 'textproto', port, timeoutMs: 5000, onDelivery: bad, onBadFrame: bad }) },
  tcp: { server: new URL('./tcp-echo-server.ts', import.meta.url).pathname, connect: viaTcp },
}

async function main(): Promise<void> {
  const chosen = (process.argv[2] ?? 'builtin,ws,bare,socketio').split(',')
  const rounds = Number(process.argv[3] ?? 4)
  const servers = new Map<string, { port: number; proc: ChildProcess }>()
  try {
    for (const kind of chosen) {
      const script = kinds[kind]?.server
      if (script === undefined) throw new Error(`unknown kind ${kind}`)
      if (!servers.has(script)) servers.set(script, await startServer(script))
    }
    for (let round = 1; round <= rounds; round++) {
      for (const kind of chosen) {
        const { server, connect } = kinds[kind]!
        const conns = await Promise.all(Array.from({ length: 100 }, () => connect(servers.get(server)!.port)))
        let trips = 0
        let stop = false
        const send = (c: BenchConn): void => c.request(1, pad, () => {
          trips++
          if (!stop) send(c)
        })
        conns.forEach(send)
        await sleep(500)
        const cpu0 = process.cpuUsage()
        const [trips0, t0] = [trips, performance.now()]
        await sleep(3000)
        const cpu = process.cpuUsage(cpu0)
        const [n, ms] = [trips - trips0, performance.now() - t0]
        stop = true
        const us = (x: number): string => (x / n).toFixed(2).padStart(6)
        console.log(`round ${round} ${kind.padEnd(9)} ${(n / ms).toFixed(1).padStart(5)}k round trips/s  ${us(cpu.user + cpu.system)} µs CPU each (user ${us(cpu.user)})  load generator ${((cpu.user + cpu.system) / 10 / ms).toFixed(0)} %`)
        await sleep(200)
        conns.forEach((c) => c.close())
        await sleep(300)
      }
    }
  } finally {
    for (const { proc } of servers.values()) proc.kill()
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e)
  process.exit(1)
})
