/**
 * Contract suite for the load generator's client kinds (src/loadgen/clients.ts): every kind,
 * against the server of its peer, subscribes, receives each publication once and in order with
 * its timestamp, and gets its echo request answered — with no frame it could not read. The lean
 * dialects (`raw-*`) must behave exactly as the library clients they stand in for.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createServer as createHttpServer } from 'node:http'
import { createServer as createTcpServer, type Socket } from 'node:net'
import { test } from 'node:test'
import { Server as SocketIoServer } from 'socket.io'
import { WebSocketServer } from 'ws'
import { encodeCompactPub } from '@minisocket/protocol'
import { createServer as createMinisocketServer } from '@minisocket/server'
import { connectClient, openRaw, type BenchConn, type ClientKind } from '../src/loadgen/clients.js'
import { startWsPeer } from '../servers/ws-common.js'

interface TestPeer { port: number; publish(msg: { s: number; t: number; p: string }): void; close(): Promise<void> }

async function wsPeer(): Promise<TestPeer & { publishText(text: string): void }> {
  const peer = await startWsPeer({ host: '127.0.0.1', port: 0 })
  const publishText = (text: string): void => { for (const c of peer.subs) c.send(text) }
  return {
    port: peer.port,
    publishText,
    publish: (msg) => publishText(JSON.stringify(msg)),
    close: () => new Promise((resolve) => { for (const c of peer.wss.clients) c.terminate(); peer.wss.close(() => resolve()) }),
  }
}

/** The ws peer sending minisocket's compact pub envelope (servers/ws-naive-envelope.ts, diagnostic). */
async function wsEnvelopePeer(): Promise<TestPeer> {
  const peer = await wsPeer()
  let offset = 0
  return { ...peer, publish: (msg) => { peer.publishText(encodeCompactPub({ type: 'pub', channel: 'bench', data: msg, offset: ++offset }, false)) } }
}

async function socketIoPeer(): Promise<TestPeer> {
  const http = createHttpServer()
  const io = new SocketIoServer(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false })
  io.on('connection', (socket) => {
    socket.on('sub', (channel: string, ack: (r: string) => void) => { void socket.join(channel); ack('ok') })
    socket.on('echo', (payload: unknown, ack: (r: unknown) => void) => ack(payload))
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  return {
    port: (http.address() as { port: number }).port,
    publish: (msg) => { io.to('bench').emit('m', msg) },
    close: () => new Promise((resolve) => { void io.close(() => resolve()) }),
  }
}

async function minisocketPeer(): Promise<TestPeer> {
  const server = createMinisocketServer({ host: '127.0.0.1', port: 0, rpc: { echo: (data) => data } })
  await server.listen()
  return {
    port: server.port,
    publish: (msg) => { void server.publish('bench', msg) },
    close: () => server.close({ drainMs: 0 }),
  }
}

const cases: Array<{ kind: ClientKind; start: () => Promise<TestPeer> }> = [
  { kind: 'textproto', start: wsPeer },
  { kind: 'raw-textproto', start: wsPeer },
  { kind: 'raw-envelope', start: wsEnvelopePeer },
  { kind: 'socketio', start: socketIoPeer },
  { kind: 'raw-engineio', start: socketIoPeer },
  { kind: 'minisocket', start: minisocketPeer },
  { kind: 'raw-minisocket', start: minisocketPeer },
  { kind: 'minisocket-client', start: minisocketPeer },
]

/** Waits, bounded at 5 s, for a condition. */
async function until(what: () => boolean, label: string): Promise<void> {
  for (let i = 0; i < 500 && !what(); i++) await new Promise((r) => setTimeout(r, 10))
  assert.ok(what(), `timed out waiting for ${label}`)
}

for (const { kind, start } of cases) {
  test(`client kind ${kind}: subscribe, ordered deliveries with timestamps, echo request`, { timeout: 20_000 }, async () => {
    const peer = await start()
    const conns: BenchConn[] = []
    try {
      const got: Array<Array<[number, number]>> = [[], []]
      let badFrames = 0
      for (const sink of got) {
        const conn = await connectClient({ kind, port: peer.port, timeoutMs: 3000, onDelivery: (s, t) => sink.push([s, t]), onBadFrame: () => { badFrames++ } })
        conns.push(conn)
        await conn.subscribe('bench')
      }
      const sent: Array<[number, number]> = [[0, 1_000_001], [1, 1_000_002], [2, 1_000_003]]
      for (const [s, t] of sent) peer.publish({ s, t, p: 'x'.repeat(48) })
      await until(() => got.every((g) => g.length >= sent.length), 'every delivery')
      for (const g of got) assert.deepEqual(g, sent)
      let echoed: number | undefined
      conns[0]!.request(424242, 'pad', (t) => { echoed = t })
      await until(() => echoed !== undefined, 'the echo reply')
      assert.equal(echoed, 424242)
      assert.equal(badFrames, 0)
    } finally {
      for (const c of conns) c.close()
      await peer.close()
    }
  })
}

/** The unmasked text of the first client frame in `bytes` (short frames only), or undefined. */
function firstClientText(bytes: Buffer): string | undefined {
  if (bytes.length < 6) return undefined
  const length = bytes[1]! & 0x7f
  if (length > 125 || bytes.length < 6 + length) return undefined
  const mask = bytes.subarray(2, 6)
  return Buffer.from(bytes.subarray(6, 6 + length).map((b, i) => b ^ mask[i % 4]!)).toString('utf8')
}

test('lean transport: a message that shares the read with the 101 reaches a handler that already holds the transport', { timeout: 10_000 }, async () => {
  // engine.io's open packet follows the 101 at once; a handler that answers through the
  // transport the opener awaits must not find it unassigned.
  let received = Buffer.alloc(0)
  let request = ''
  const sockets: Socket[] = []
  const server = createTcpServer((socket) => {
    sockets.push(socket)
    socket.on('data', (chunk: Buffer) => {
      if (!request) {
        request = chunk.toString('latin1')
        const key = /sec-websocket-key: *(\S+)/i.exec(request)?.[1] ?? ''
        const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
        const head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`
        socket.write(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from([0x81, 5]), Buffer.from('hello')])) // one write, one read
        return
      }
      received = Buffer.concat([received, chunk])
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const port = (server.address() as { port: number }).port
    const seen: string[] = []
    let threw: unknown
    const transport = await openRaw({ kind: 'raw-textproto', port, timeoutMs: 3000, onDelivery: () => undefined, onBadFrame: () => undefined }, '/', (text) => {
      seen.push(text)
      try { transport.send(`re:${text}`) } catch (e) { threw = e }
    }, () => undefined)
    await until(() => firstClientText(received) !== undefined || threw !== undefined, 'the answer to the early message')
    assert.equal(threw, undefined)
    assert.deepEqual(seen, ['hello'])
    assert.equal(firstClientText(received), 're:hello')
    transport.close()
  } finally {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

test('lean transport: a binary message, which no dialect has, is counted as an unreadable frame', { timeout: 10_000 }, async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  wss.on('connection', (ws) => { ws.send(Buffer.from([1, 2, 3])); ws.send('{"s":0,"t":1}') })
  let conn: BenchConn | undefined
  try {
    let badFrames = 0
    const got: number[] = []
    conn = await connectClient({ kind: 'raw-textproto', port: (wss.address() as { port: number }).port, timeoutMs: 3000, onDelivery: (seq) => got.push(seq), onBadFrame: () => { badFrames++ } })
    await until(() => got.length > 0, 'the text message after the binary one')
    assert.equal(badFrames, 1)
    assert.deepEqual(got, [0])
  } finally {
    conn?.close()
    for (const c of wss.clients) c.terminate()
    await new Promise<void>((resolve) => wss.close(() => resolve()))
  }
})
