/**
 * The load generator's lean WebSocket client (src/loadgen/raw-ws.ts) against `ws`'s server:
 * masking (the server rejects unmasked or badly masked frames), every length encoding, messages
 * split over reads, fragmentation, ping, close, a refused upgrade and a silent server.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createHash } from 'node:crypto'
import { createServer as createTcpServer, type Socket } from 'node:net'
import { test } from 'node:test'
import { WebSocketServer, type WebSocket } from 'ws'
import { openRawWs, type RawWs } from '../src/loadgen/raw-ws.js'

async function wsServer(): Promise<{ wss: WebSocketServer; port: number; peer: Promise<WebSocket> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 })
  await once(wss, 'listening')
  const peer = once(wss, 'connection').then(([ws]) => ws as WebSocket)
  return { wss, port: (wss.address() as { port: number }).port, peer }
}

interface Collector { texts: string[]; closes: string[]; onText(t: string): void; onClose(r: string): void; until(what: () => boolean): Promise<void> }

/** Records what the client hands over; `until` waits (bounded, 5 s) for a condition on it. */
function collector(): Collector {
  let wake: (() => void) | undefined
  const c: Collector = {
    texts: [],
    closes: [],
    onText: (t) => { c.texts.push(t); wake?.() },
    onClose: (r) => { c.closes.push(r); wake?.() },
    until: (what) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${c.texts.length} messages, closes ${JSON.stringify(c.closes)}`)), 5000)
      const check = (): void => { if (what()) { wake = undefined; clearTimeout(timer); resolve() } else wake = check }
      check()
    }),
  }
  return c
}

/** A `ws` server and one lean client connected to it, both closed after `fn`. */
async function withPair(fn: (c: Collector, ws: RawWs, server: WebSocket) => Promise<void>): Promise<void> {
  const { wss, port, peer } = await wsServer()
  let ws: RawWs | undefined
  try {
    const c = collector()
    ws = await openRawWs(port, '/', 2000, c)
    await fn(c, ws, await peer)
  } finally {
    ws?.close()
    wss.close()
  }
}

test('raw ws: masked sends of every length encoding reach ws intact, and its replies come back', { timeout: 15_000 }, async () => {
  await withPair(async (c, ws, server) => {
    const got: string[] = []
    server.on('message', (data) => { got.push(data.toString()); server.send(data.toString()) })
    // 7-bit, 16-bit and 64-bit lengths; non-ASCII text checks the UTF-8 handling both ways.
    const sent = ['hi', 'é'.repeat(100), 'a'.repeat(125), 'b'.repeat(126), 'x'.repeat(300), 'c'.repeat(65_535), 'd'.repeat(65_536), 'y'.repeat(70_000), '✓ ok']
    for (const s of sent) ws.send(s)
    await c.until(() => c.texts.length >= sent.length)
    assert.deepEqual(got, sent)
    assert.deepEqual(c.texts, sent)
    assert.deepEqual(c.closes, [])
    // A normal closure: the server hears close code 1000, not an abnormal 1006.
    const closed = once(server, 'close')
    ws.close()
    const [code] = await closed
    assert.equal(code, 1000)
  })
})

test('raw ws: a burst of messages split across reads arrives whole and in order', { timeout: 15_000 }, async () => {
  await withPair(async (c, ws, server) => {
    const sent: string[] = []
    // 300 KiB messages are larger than the shared read buffer: they must be carried over reads.
    for (let i = 0; i < 500; i++) sent.push(`${i}:` + 'z'.repeat(i % 7 === 0 ? 300 * 1024 : i))
    for (const s of sent) server.send(s)
    await c.until(() => c.texts.length >= sent.length)
    assert.equal(c.texts.length, sent.length)
    for (let i = 0; i < sent.length; i++) assert.equal(c.texts[i], sent[i], `message ${i}`)
  })
})

test('raw ws: fragments are joined, pings answered, and a close frame reported once', { timeout: 15_000 }, async () => {
  await withPair(async (c, ws, server) => {
    server.send('part one, ', { fin: false })
    server.send('part two', { fin: true })
    await c.until(() => c.texts.length >= 1)
    assert.deepEqual(c.texts, ['part one, part two'])
    const pong = once(server, 'pong')
    server.ping('are you there')
    const [data] = await pong
    assert.equal(String(data), 'are you there')
    const serverClosed = once(server, 'close')
    server.close(4321, 'bye')
    await c.until(() => c.closes.length > 0)
    // The client answers with the same code (RFC 6455 5.5.1), so the server does not see 1006.
    const [code] = await serverClosed
    assert.equal(code, 4321)
    // The socket's own close follows the close frame: it must not be reported a second time.
    await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(c.closes, ['close frame 4321'])
  })
})

test('raw ws: a refused upgrade and a server that never answers both reject', { timeout: 15_000 }, async () => {
  const http: Server = createHttpServer((_req, res) => { res.writeHead(404); res.end('no') })
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  const silent = createTcpServer(() => undefined)
  silent.listen(0, '127.0.0.1')
  await once(silent, 'listening')
  try {
    const noop = { onText: () => undefined, onClose: () => undefined }
    await assert.rejects(openRawWs((http.address() as { port: number }).port, '/', 2000, noop), /upgrade refused: HTTP\/1\.1 404/)
    await assert.rejects(openRawWs((silent.address() as { port: number }).port, '/', 200, noop), /timed out after 200 ms/)
  } finally {
    http.closeAllConnections()
    http.close()
    silent.close()
  }
})

test('raw ws: frames that arrive with the 101 reach the handler after open resolved, and an early ping is answered', { timeout: 15_000 }, async () => {
  // A hand-made server that sends its 101, a text frame and a ping in one write.
  let fromClient = Buffer.alloc(0)
  let peerSocket: Socket | undefined
  const tcp = createTcpServer((sock) => {
    peerSocket = sock
    let answered = false
    sock.on('data', (d) => {
      if (answered) { fromClient = Buffer.concat([fromClient, d]); return }
      const key = /sec-websocket-key: *(\S+)/i.exec(d.toString('latin1'))?.[1] ?? ''
      const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
      answered = true
      sock.write(Buffer.concat([
        Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`, 'latin1'),
        Buffer.from([0x81, 5]), Buffer.from('early'),
        Buffer.from([0x89, 2]), Buffer.from('pg'),
      ]))
    })
  })
  tcp.listen(0, '127.0.0.1')
  await once(tcp, 'listening')
  let ws: RawWs | undefined
  try {
    let opened = false
    const seen: Array<[string, boolean]> = []
    ws = await openRawWs((tcp.address() as { port: number }).port, '/', 2000, { onText: (t) => seen.push([t, opened]), onClose: () => undefined })
    opened = true
    for (let i = 0; i < 200 && (seen.length === 0 || fromClient.length < 8); i++) await new Promise((r) => setTimeout(r, 10))
    assert.deepEqual(seen, [['early', true]])
    // The pong: FIN + opcode 0xA, masked, 2-byte payload; unmask it and compare.
    assert.equal(fromClient[0], 0x8a)
    assert.equal(fromClient[1], 0x80 | 2)
    const mask = fromClient.subarray(2, 6)
    assert.equal(String.fromCharCode(fromClient[6]! ^ mask[0]!, fromClient[7]! ^ mask[1]!), 'pg')
  } finally {
    ws?.close()
    peerSocket?.destroy()
    tcp.close()
  }
})
