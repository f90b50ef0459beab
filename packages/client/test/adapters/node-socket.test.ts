/**
 * Adversarial tests for the zero-dependency RFC 6455 client (src/adapters/node-socket.ts).
 * Most servers here are hand-made `net` servers that speak the handshake themselves and write crafted
 * bytes, so each rule of the RFC can be broken on purpose; the rest run against a real `ws` server.
 * Every server listens on 127.0.0.1 port 0 and is closed in `finally`/`after`; every wait is bounded.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { WebSocketServer, type WebSocket } from 'ws'
import { nodeSocketAdapter, type NodeSocketOptions } from '../../src/adapters/node-socket.js'
import type { OpenOptions } from '../../src/core/adapter.js'
import { runAdapterContract } from '../contract/adapter-contract.js'

// ---------------------------------------------------------------------------------------- helpers
async function waitFor(what: () => string, ok: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
  assert.ok(ok(), `timed out after ${ms} ms waiting for ${what()}`)
}
/** Only to observe that something did NOT happen: there is no event to await for an absence. */
const settle = (ms = 60): Promise<void> => new Promise((r) => setTimeout(r, ms))
const acceptFor = (key: string): string => createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')

/** Opens a socket with recording handlers; `sane()` checks the adapter contract (core/adapter.ts). */
function record(url: string, open: OpenOptions = {}, options?: NodeSocketOptions) {
  const events: Array<{ type: string; args: unknown[] }> = []
  const faults: string[] = []
  let inOpen = true
  const count = (type: string): number => events.filter((e) => e.type === type).length
  const push = (type: string) => (...args: unknown[]): void => {
    if (inOpen) faults.push(`${type} fired synchronously inside open()`)
    if (count('close') > 0) faults.push(`${type} reported after onClose`)
    events.push({ type, args })
  }
  const socket = nodeSocketAdapter(options).open(url, open, { onOpen: push('open'), onMessage: push('message'), onClose: push('close'), onError: push('error') })
  inOpen = false
  const r = {
    socket, count,
    messages: (): unknown[] => events.filter((e) => e.type === 'message').map((e) => e.args[0]),
    closed: (): unknown[] | undefined => events.find((e) => e.type === 'close')?.args,
    error: (): unknown => events.find((e) => e.type === 'error')?.args[0],
    seen: (): string => events.map((e) => `${e.type}(${e.args.map((a) => JSON.stringify(a)?.slice(0, 40)).join(', ')})`).join(' '),
    sane(): void {
      assert.deepEqual(faults, [])
      assert.ok(count('open') <= 1 && count('close') <= 1, `events: ${r.seen()}`)
    },
    until: (what: string, ok: () => boolean, ms?: number) => waitFor(() => `${what}; the client saw: ${r.seen() || 'nothing'}`, ok, ms),
  }
  return r
}
type Recorder = ReturnType<typeof record>

/** A failed connection: exactly one onError, then onClose(1006, reason) (RFC 6455 §7.1.7, §7.4.1). */
async function failed(r: Recorder, what: string, errors = [1]): Promise<string> {
  await r.until(`onClose after ${what}`, () => r.count('close') > 0)
  r.sane()
  assert.ok(errors.includes(r.count('error')), `onError ×${r.count('error')} after ${what}`)
  const [code, reason] = r.closed() ?? []
  assert.equal(code, 1006, `close code after ${what} (events: ${r.seen()})`)
  assert.equal(typeof reason, 'string')
  return reason as string
}

/** A server → client frame; `len` forces a 64-bit length field (RFC 6455 §5.2). */
function frame(opcode: number, payload: Buffer | string = '', o: { fin?: boolean; rsv?: number; mask?: boolean; len?: bigint } = {}): Buffer {
  const data = Buffer.from(payload)
  const b0 = ((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode
  const m = o.mask ? 0x80 : 0
  let head = Buffer.from([b0, m | data.length])
  if (o.len !== undefined || data.length > 0xffff) {
    head = Buffer.from([b0, m | 127, 0, 0, 0, 0, 0, 0, 0, 0])
    head.writeBigUInt64BE(o.len ?? BigInt(data.length), 2)
  } else if (data.length >= 126) {
    head = Buffer.from([b0, m | 126, 0, 0])
    head.writeUInt16BE(data.length, 2)
  }
  const key = randomBytes(4)
  return o.mask ? Buffer.concat([head, key, data.map((b, i) => b ^ key[i & 3]!)]) : Buffer.concat([head, data])
}
const closeBody = (code: number, reason: string | Buffer = ''): Buffer => Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)])

/** A frame the client sent, unmasked by the test server; `form` is the length encoding it used. */
interface ClientFrame { fin: boolean; rsv: number; opcode: number; masked: boolean; mask: Buffer; payload: Buffer; form: 7 | 16 | 64 }
function parseFrames(buf: Buffer, out: ClientFrame[]): Buffer {
  for (;;) {
    if (buf.length < 2) return buf
    let [len, off, form] = [buf[1]! & 0x7f, 2, 7 as ClientFrame['form']]
    if (len === 126) [len, off, form] = buf.length < 4 ? [-1, 0, 16] : [buf.readUInt16BE(2), 4, 16]
    else if (len === 127) [len, off, form] = buf.length < 10 ? [-1, 0, 64] : [Number(buf.readBigUInt64BE(2)), 10, 64]
    const masked = (buf[1]! & 0x80) !== 0
    if (len < 0 || buf.length < off + (masked ? 4 : 0) + len) return buf
    const mask = masked ? Buffer.from(buf.subarray(off, off + 4)) : Buffer.alloc(4)
    if (masked) off += 4
    const payload = Buffer.from(buf.subarray(off, off + len).map((b, i) => b ^ mask[i & 3]!))
    out.push({ fin: (buf[0]! & 0x80) !== 0, rsv: (buf[0]! >> 4) & 7, opcode: buf[0]! & 0x0f, masked, mask, payload, form })
    buf = buf.subarray(off + len)
  }
}

interface Conn {
  socket: Socket; method: string; path: string; key: string; frames: ClientFrame[]
  headers: Record<string, string> // lower-case names; repeated headers joined with ', '
  holdOpen: boolean // true: neither answer the client's close frame nor end TCP
  sentClose: boolean; ended: boolean // ended: the TCP connection is gone
  respond(lines: string[], then?: Buffer): void
  accept(then?: Buffer, extra?: string[]): void
}
const upgradeLines = (key: string): string[] => ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptFor(key)}`]

interface Hostile { url: string; conns: Conn[]; bytes: number; connections: number }
const framesOf = (srv: Hostile, opcode?: number): ClientFrame[] => (srv.conns[0]?.frames ?? []).filter((f) => opcode === undefined || f.opcode === opcode)
const closeOf = (srv: Hostile): { code: number | undefined; reason: string } | undefined => {
  const f = framesOf(srv, 8)[0]
  return f && { code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined, reason: f.payload.subarray(2).toString() }
}

/** A raw TCP server: `onRequest` runs once the upgrade request's head has arrived. Closed in finally. */
async function withHostile(onRequest: (c: Conn) => void | Promise<void>, body: (srv: Hostile) => Promise<void>): Promise<void> {
  const sockets = new Set<Socket>()
  const srv: Hostile = { url: '', conns: [], bytes: 0, connections: 0 }
  const server = createServer((socket) => {
    sockets.add(socket.setNoDelay(true).on('error', () => {}).on('close', () => { if (conn) conn.ended = true }))
    srv.connections++
    let [buf, conn] = [Buffer.alloc(0) as Buffer, undefined as Conn | undefined]
    socket.on('data', (chunk: Buffer) => {
      srv.bytes += chunk.length
      buf = Buffer.concat([buf, chunk])
      if (conn === undefined) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const [requestLine = '', ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n')
        buf = buf.subarray(end + 4)
        const headers: Record<string, string> = {}
        for (const line of lines) {
          const [name, value] = [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]
          headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
        }
        const [method = '', path = ''] = requestLine.split(' ')
        const c: Conn = {
          socket, method, path, headers, key: headers['sec-websocket-key'] ?? '', frames: [], holdOpen: false, sentClose: false, ended: false,
          respond: (ls, then) => { socket.write(Buffer.concat([Buffer.from(`${ls.join('\r\n')}\r\n\r\n`, 'latin1'), then ?? Buffer.alloc(0)])) },
          accept: (then, extra = []) => c.respond([...upgradeLines(c.key), ...extra], then),
        }
        conn = c
        srv.conns.push(c)
        Promise.resolve(onRequest(c)).catch(() => {}) // a write after the client left is not a failure
      }
      const before = conn.frames.length
      buf = parseFrames(buf, conn.frames)
      // Answer the client's close with its code and end TCP, as a server does (RFC 6455 §5.5.1, §7.1.1).
      const close = conn.frames.slice(before).find((f) => f.opcode === 8)
      if (close && !conn.holdOpen) {
        if (!conn.sentClose) socket.write(frame(8, close.payload.subarray(0, 2)))
        conn.sentClose = true
        socket.end()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  srv.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    await body(srv)
  } finally {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** Accepts, then writes `bad`: the client must send close `code`, report onClose(1006), deliver only 'ok'. */
async function expectFail(bad: Buffer, code: number | number[], options?: NodeSocketOptions): Promise<void> {
  await withHostile((c) => c.accept(Buffer.concat([frame(1, 'ok'), bad, frame(1, 'after')])), async (srv) => {
    const r = record(srv.url, {}, options)
    await r.until('the client close frame', () => closeOf(srv) !== undefined)
    assert.ok([code].flat().includes(closeOf(srv)?.code ?? 0), `close code sent to the server: ${closeOf(srv)?.code}, expected ${code}`)
    await failed(r, 'a bad frame')
    assert.deepEqual(r.messages(), ['ok'])
  })
}

// ------------------------------------------------------------------------------------------ suites
runAdapterContract({ name: 'node-socket', makeAdapter: () => nodeSocketAdapter() })

describe('node-socket: URLs (RFC 6455 §3)', () => {
  for (const scheme of ['ws', 'http']) {
    test(`${scheme}:// connects, sending path and query`, async () => {
      await withHostile((c) => c.accept(), async (srv) => {
        const r = record(`${srv.url.replace('ws', scheme)}/room/1?a=b&c=%20d`)
        await r.until('open', () => r.count('open') === 1)
        assert.deepEqual([srv.conns[0]?.method, srv.conns[0]?.path], ['GET', '/room/1?a=b&c=%20d'])
      })
    })
  }
  for (const bad of ['ftp://127.0.0.1/x', 'not a url', 'ws://', 'ws://HOST/#frag', 'ws://HOST/path# (empty fragment)']) {
    test(`${bad} → onError + onClose(1006), asynchronously, never opened`, async () => {
      // Fragments "MUST NOT be used on these URIs" (§3), even an empty one; a client fails on them (§4.1).
      await withHostile((c) => c.accept(), async (srv) => {
        const r = record(bad.replace('ws://HOST', srv.url).replace(' (empty fragment)', ''))
        await failed(r, bad)
        await settle()
        assert.equal(r.count('open'), 0)
        assert.equal(srv.connections, 0, 'nothing should reach the server')
        r.socket.send('x') // neither may throw
        r.socket.close(1000, '')
      })
    })
  }
})

describe('node-socket: TLS (wss:, https:)', () => {
  // A self-signed certificate for localhost and 127.0.0.1 (test/fixtures), acting as its own CA.
  const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')
  const tls = { key: fixture('localhost-key.pem'), cert: fixture('localhost-cert.pem') }
  let [server, wss, port] = [undefined as HttpsServer | undefined, undefined as WebSocketServer | undefined, 0]
  before(async () => {
    server = createHttpsServer(tls)
    wss = new WebSocketServer({ server })
    wss.on('connection', (ws: WebSocket) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })))
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    for (const c of wss?.clients ?? []) c.terminate()
    wss?.close()
    server?.closeAllConnections()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  })
  for (const scheme of ['wss', 'https']) {
    test(`${scheme}:// with the server's CA opens and echoes`, async () => {
      const r = record(`${scheme}://127.0.0.1:${port}/`, {}, { tls: { ca: tls.cert } })
      await r.until('open', () => r.count('open') === 1)
      r.socket.send('secure ✓')
      await r.until('echo', () => r.count('message') === 1)
      assert.deepEqual(r.messages(), ['secure ✓'])
      r.socket.close(1000, '')
    })
  }
  test('an untrusted certificate fails (verification stays on by default)', async () => {
    const r = record(`wss://127.0.0.1:${port}/`)
    await failed(r, 'an untrusted certificate')
    assert.equal(r.count('open'), 0)
  })
})

describe('node-socket: opening handshake (RFC 6455 §4.1, §4.2.2)', () => {
  test('the request carries Host, Upgrade, Connection, a fresh 16-byte key, version 13, protocols and headers', async () => {
    await withHostile((c) => c.accept(undefined, c.headers['sec-websocket-protocol'] ? ['Sec-WebSocket-Protocol: b'] : []), async (srv) => {
      const a = record(`${srv.url}/x`, { protocols: ['a', 'b'], headers: { Authorization: 'Bearer t', 'X-Id': '7' } })
      await a.until('open', () => a.count('open') === 1)
      const b = record(`${srv.url}/y`)
      await b.until('open', () => b.count('open') === 1)
      const [ha, hb] = srv.conns.map((c) => c.headers)
      assert.equal(ha?.host, srv.url.slice('ws://'.length))
      assert.equal(ha?.upgrade?.toLowerCase(), 'websocket')
      assert.match(ha?.connection ?? '', /\bupgrade\b/i)
      assert.equal(ha?.['sec-websocket-version'], '13')
      assert.equal(Buffer.from(ha?.['sec-websocket-key'] ?? '', 'base64').length, 16)
      assert.notEqual(ha?.['sec-websocket-key'], hb?.['sec-websocket-key'], 'the key must be random per connection')
      assert.deepEqual(ha?.['sec-websocket-protocol']?.split(/\s*,\s*/), ['a', 'b'])
      assert.equal(hb?.['sec-websocket-protocol'], undefined)
      assert.deepEqual([ha?.authorization, ha?.['x-id']], ['Bearer t', '7'])
      a.socket.close(1000, '')
      b.socket.close(1000, '')
    })
  })
  for (const headers of [{ 'X-Evil': 'a\r\nX-Injected: 1' }, { 'X-Evil\nX-Injected': '1' }, { 'X-Evil': 'a\rb' }]) {
    test(`a header with CR/LF is refused before anything is sent: ${JSON.stringify(headers)}`, async () => {
      await withHostile((c) => c.accept(), async (srv) => {
        const r = record(srv.url, { headers })
        await failed(r, 'a CR/LF header')
        await settle()
        assert.equal(srv.bytes, 0, 'no request bytes may reach the server')
      })
    })
  }
  const rejected: Array<{ name: string; protocols?: string[]; lines: (key: string) => string[] }> = [
    { name: 'a wrong Sec-WebSocket-Accept', lines: (k) => [...upgradeLines(k).slice(0, 3), `Sec-WebSocket-Accept: ${acceptFor(k + 'x')}`] },
    { name: 'no Sec-WebSocket-Accept', lines: (k) => upgradeLines(k).slice(0, 3) },
    { name: 'no Upgrade header', lines: (k) => upgradeLines(k).filter((l) => !l.startsWith('Upgrade')) },
    { name: 'Upgrade: h2c', lines: (k) => upgradeLines(k).map((l) => (l.startsWith('Upgrade') ? 'Upgrade: h2c' : l)) },
    { name: 'Connection without upgrade', lines: (k) => upgradeLines(k).map((l) => (l.startsWith('Connection') ? 'Connection: keep-alive' : l)) },
    { name: 'status 200 with upgrade headers', lines: (k) => ['HTTP/1.1 200 OK', ...upgradeLines(k).slice(1)] },
    { name: 'a subprotocol that was not offered', protocols: ['a'], lines: (k) => [...upgradeLines(k), 'Sec-WebSocket-Protocol: b'] },
    { name: 'no subprotocol when some were offered', protocols: ['a'], lines: upgradeLines },
    { name: 'a subprotocol when none were offered', lines: (k) => [...upgradeLines(k), 'Sec-WebSocket-Protocol: a'] },
    { name: 'an extension that was not offered', lines: (k) => [...upgradeLines(k), 'Sec-WebSocket-Extensions: permessage-deflate'] },
    { name: 'response headers over 16 KiB in one chunk', lines: (k) => [...upgradeLines(k), `X-Pad: ${'p'.repeat(20_000)}`] },
  ]
  for (const { name, protocols, lines } of rejected) {
    test(`fails on ${name}`, async () => {
      await withHostile((c) => c.respond(lines(c.key), frame(1, 'not for you')), async (srv) => {
        const r = record(srv.url, protocols ? { protocols } : {})
        await failed(r, name)
        assert.equal(r.count('open') + r.count('message'), 0)
      })
    })
  }
  test('endless response headers fail at the 16 KiB limit, without waiting for the blank line', async () => {
    await withHostile(async (c) => {
      c.socket.write('HTTP/1.1 101 Switching Protocols\r\n')
      for (let i = 0; i < 40 && !c.ended; i++) await new Promise((r) => c.socket.write(`X-Pad-${i}: ${'p'.repeat(1000)}\r\n`, r))
    }, async (srv) => {
      await failed(record(srv.url), 'endless headers')
    })
  })
  for (const status of ['404 Not Found', '401 Unauthorized']) {
    test(`HTTP ${status} is reported with its status`, async () => {
      await withHostile((c) => c.respond([`HTTP/1.1 ${status}`, 'Content-Length: 0']), async (srv) => {
        const r = record(srv.url)
        const reason = await failed(r, status)
        assert.match(String((r.error() as Error)?.message ?? r.error()), new RegExp(status.slice(0, 3)))
        assert.match(reason, new RegExp(status.slice(0, 3)))
      })
    })
  }
  test('accepts Upgrade: WebSocket and Connection: keep-alive, Upgrade (tokens are case-insensitive)', async () => {
    const lines = (k: string) => ['HTTP/1.1 101 Switching Protocols', 'upgrade: WebSocket', 'CONNECTION: keep-alive, Upgrade', `sec-websocket-accept: ${acceptFor(k)}`]
    await withHostile((c) => c.respond(lines(c.key), frame(1, 'hi')), async (srv) => {
      const r = record(srv.url)
      await r.until('message', () => r.count('message') === 1)
      assert.deepEqual(r.messages(), ['hi'])
    })
  })
  test('the server hanging up mid-response fails the connection', async () => {
    await withHostile((c) => { c.socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n') }, async (srv) => {
      const r = record(srv.url)
      await failed(r, 'a truncated response', [0, 1]) // a dropped TCP need not be an onError
      assert.equal(r.count('open'), 0)
    })
  })
})

describe('node-socket: frames from the server (RFC 6455 §5.2, §5.4, §5.5.2-3, §5.6)', () => {
  test('text arrives as string, binary as ArrayBuffer, empty ones too, in order, in the same TCP chunk as the 101', async () => {
    const bytes = Buffer.from([0, 255, 128, 7])
    await withHostile((c) => c.accept(Buffer.concat([frame(1, 'héllo 🎉'), frame(2, bytes), frame(1, ''), frame(2, '')])), async (srv) => {
      const r = record(srv.url)
      await r.until('four messages', () => r.count('message') === 4)
      const [text, bin, emptyText, emptyBin] = r.messages()
      assert.ok(bin instanceof ArrayBuffer && emptyBin instanceof ArrayBuffer, 'binary must be an ArrayBuffer')
      assert.deepEqual([text, Buffer.from(bin), emptyText, emptyBin.byteLength], ['héllo 🎉', bytes, '', 0])
    })
  })
  test('7-bit, 16-bit and 64-bit payload lengths: 125, 126, 65535, 70 000 and 200 000 bytes', async () => {
    const texts = [125, 126, 65_535, 70_000, 200_000].map((n, i) => String.fromCharCode(97 + i).repeat(n))
    await withHostile((c) => c.accept(Buffer.concat(texts.map((t) => frame(1, t)))), async (srv) => {
      const r = record(srv.url)
      await r.until('five messages', () => r.count('message') === texts.length)
      assert.ok(r.messages().every((m, i) => m === texts[i]), 'a message differs')
    })
  })
  test('fragments are reassembled, with control frames between them and a character split across them (§5.4, §8.1)', async () => {
    const euro = Buffer.from('€') // e2 82 ac: UTF-8 validity is a property of the whole message
    const bytes = Buffer.concat([frame(1, Buffer.from([0x68, euro[0]!]), { fin: false }), frame(9, 'mid'), frame(0, euro.subarray(1), { fin: false }),
      frame(10, 'stray pong'), frame(0, '!'), frame(2, 'ab', { fin: false }), frame(0, 'cd')])
    await withHostile((c) => c.accept(bytes), async (srv) => {
      const r = record(srv.url)
      await r.until('two messages', () => r.count('message') === 2)
      assert.deepEqual([r.messages()[0], Buffer.from(r.messages()[1] as ArrayBuffer).toString()], ['h€!', 'abcd'])
      await r.until('the pong', () => framesOf(srv, 10).length === 1)
      assert.equal(framesOf(srv, 10)[0]?.payload.toString(), 'mid')
    })
  })
  test('each ping is answered by a masked pong with the same payload; pongs are not messages', async () => {
    const big = randomBytes(125)
    await withHostile((c) => c.accept(Buffer.concat([frame(9, big), frame(9, ''), frame(10, 'x'), frame(1, 'end')])), async (srv) => {
      const r = record(srv.url)
      await r.until('two pongs', () => framesOf(srv, 10).length === 2)
      assert.deepEqual(framesOf(srv, 10).map((p) => [p.masked, p.fin, p.payload.toString('hex')]), [[true, true, big.toString('hex')], [true, true, '']])
      await r.until('message', () => r.count('message') === 1)
      assert.deepEqual(r.messages(), ['end'])
    })
  })
  test('frames delivered one byte per TCP write parse the same', async () => {
    const bytes = Buffer.concat([frame(1, 'a'), frame(2, randomBytes(300)), frame(1, 'x', { fin: false }), frame(9, 'p'), frame(0, 'y'), frame(1, 'z'.repeat(200))])
    await withHostile(async (c) => {
      c.accept()
      for (let i = 0; i < bytes.length && !c.ended; i++) {
        await new Promise((r) => c.socket.write(bytes.subarray(i, i + 1), r))
        await new Promise((r) => setImmediate(r))
      }
    }, async (srv) => {
      const r = record(srv.url)
      await r.until('four messages', () => r.count('message') === 4)
      assert.equal(r.messages()[0], 'a')
      assert.equal((r.messages()[1] as ArrayBuffer).byteLength, 300)
      assert.deepEqual(r.messages().slice(2), ['xy', 'z'.repeat(200)])
      assert.equal(framesOf(srv, 10)[0]?.payload.toString(), 'p')
    })
  })
  test('what one connection keeps between reads (a fragment, a frame cut in three) survives reads on another (plain TCP shares one read buffer)', async () => {
    // ws:// reads go into one buffer shared by every connection (net's onread): the reader must
    // copy what it keeps, or the next read (here: the other connection's) would overwrite it.
    const sent = (c: Conn, bytes: Buffer): Promise<void> => new Promise((resolve) => c.socket.write(bytes, () => resolve()))
    await withHostile((c) => c.accept(), async (srv) => {
      const a = record(srv.url)
      const b = record(srv.url)
      await a.until('both open', () => a.count('open') === 1 && b.count('open') === 1)
      const [ca, cb] = srv.conns as [Conn, Conn]
      const cut = frame(1, 'tail-of-a-frame')
      // No event tells that a read happened: each write is given time to be read on its own.
      await sent(ca, frame(1, 'fragment-one-', { fin: false }))
      await settle(30)
      await sent(cb, frame(1, 'B'.repeat(40)))
      await b.until("b's message", () => b.count('message') === 1)
      await sent(ca, Buffer.concat([frame(0, 'two'), cut.subarray(0, 7)]))
      await a.until("a's first message", () => a.count('message') === 1)
      await sent(cb, frame(1, 'Z'.repeat(40)))
      await b.until("b's second message", () => b.count('message') === 2)
      await sent(ca, cut.subarray(7, 11))
      await settle(30)
      await sent(cb, frame(1, 'Y'.repeat(40)))
      await b.until("b's third message", () => b.count('message') === 3)
      await sent(ca, cut.subarray(11))
      await a.until("a's second message", () => a.count('message') === 2)
      assert.deepEqual(a.messages(), ['fragment-one-two', 'tail-of-a-frame'])
      assert.deepEqual(b.messages(), ['B'.repeat(40), 'Z'.repeat(40), 'Y'.repeat(40)])
      a.sane()
      b.sane()
    })
  })
  test('500 frames in one TCP chunk are all delivered, in order', async () => {
    const texts = Array.from({ length: 500 }, (_, i) => `m${i}`)
    await withHostile((c) => c.accept(Buffer.concat(texts.map((t) => frame(1, t)))), async (srv) => {
      const r = record(srv.url)
      await r.until('500 messages', () => r.count('message') === 500)
      assert.deepEqual(r.messages(), texts)
    })
  })
})

describe('node-socket: bad frames fail the connection (RFC 6455 §5.1-5.5, §7.1.7, §8.1)', () => {
  const cases: Array<[string, Buffer, number]> = [
    ['RSV1 set without an extension', frame(1, 'x', { rsv: 4 }), 1002],
    ['RSV2 set', frame(2, 'x', { rsv: 2 }), 1002],
    ['RSV3 set on a ping', frame(9, 'x', { rsv: 1 }), 1002],
    ['reserved data opcode 3', frame(3, 'x'), 1002],
    ['reserved control opcode 0xB', frame(0xb, 'x'), 1002],
    ['a masked server frame (§5.1)', frame(1, 'x', { mask: true }), 1002],
    ['a ping with FIN=0', frame(9, 'x', { fin: false }), 1002],
    ['a ping with a 126-byte payload', frame(9, 'p'.repeat(126)), 1002],
    ['a close with a 126-byte payload', frame(8, closeBody(1000, 'r'.repeat(124))), 1002],
    ['a continuation without a started message', frame(0, 'x'), 1002],
    ['a new text frame inside a fragmented message', Buffer.concat([frame(1, 'a', { fin: false }), frame(1, 'b')]), 1002],
    ['a new binary frame inside a fragmented message', Buffer.concat([frame(2, 'a', { fin: false }), frame(2, 'b')]), 1002],
    ['a 64-bit length with the top bit set', frame(2, '', { len: 1n << 63n }), 1002],
    ['invalid UTF-8 text (0xff)', frame(1, Buffer.from([0x61, 0xff])), 1007],
    ['an overlong UTF-8 encoding', frame(1, Buffer.from([0xc0, 0xaf])), 1007],
    ['a UTF-16 surrogate in UTF-8', frame(1, Buffer.from([0xed, 0xa0, 0x80])), 1007],
    ['text ending mid-character across fragments', Buffer.concat([frame(1, Buffer.from([0x61, 0xe2]), { fin: false }), frame(0, Buffer.from([0x82]))]), 1007],
  ]
  for (const [name, bytes, code] of cases) test(`${name} → close ${code} sent, onClose(1006)`, () => expectFail(bytes, code))

  test('maxPayload: one frame over the limit → 1009', () => expectFail(frame(2, Buffer.alloc(1025)), 1009, { maxPayload: 1024 }))
  test('maxPayload: fragments summing over the limit → 1009', () =>
    expectFail(Buffer.concat([frame(1, 'a'.repeat(600), { fin: false }), frame(0, 'b'.repeat(600))]), 1009, { maxPayload: 1024 }))
  test('maxPayload: a declared length of 1 TiB fails at once, before any payload arrives', () => expectFail(frame(2, '', { len: 1n << 40n }), 1009))
  test('maxPayload: a message of exactly the limit is accepted', async () => {
    await withHostile((c) => c.accept(Buffer.concat([frame(1, 'a'.repeat(512), { fin: false }), frame(0, 'b'.repeat(512))])), async (srv) => {
      const r = record(srv.url, {}, { maxPayload: 1024 })
      await r.until('message', () => r.count('message') === 1)
      assert.equal((r.messages()[0] as string).length, 1024)
    })
  })
})

describe('node-socket: closing handshake (RFC 6455 §5.5.1, §7.1, §7.4)', () => {
  test("the server's close is answered (masked, same code), reported once; later frames are discarded", async () => {
    await withHostile((c) => { c.sentClose = true; c.accept(Buffer.concat([frame(8, closeBody(4001, 'bye ✓')), frame(1, 'late')])) }, async (srv) => {
      const r = record(srv.url)
      await r.until('onClose', () => r.count('close') === 1)
      assert.deepEqual(r.closed(), [4001, 'bye ✓'])
      assert.equal(r.count('message'), 0, 'no data after a close frame (§5.5.1)')
      assert.deepEqual(framesOf(srv).map((f) => [f.opcode, f.masked]), [[8, true]])
      assert.equal(closeOf(srv)?.code, 4001)
      r.socket.send('late')
      r.socket.close(1000, 'again')
      await settle()
      r.sane()
      assert.equal(framesOf(srv).length, 1, 'nothing may be sent after the close')
    })
  })
  test('an empty close payload reports 1005 (§7.1.5), and is answered', async () => {
    await withHostile((c) => { c.sentClose = true; c.accept(frame(8)) }, async (srv) => {
      const r = record(srv.url)
      await r.until('onClose', () => r.count('close') === 1)
      assert.deepEqual(r.closed(), [1005, ''])
      assert.ok(closeOf(srv), 'the client must answer with a close frame')
    })
  })
  test('valid close codes are reported as sent: 1000, 1001, 1003, 1011, 3000, 4999', async () => {
    for (const code of [1000, 1001, 1003, 1011, 3000, 4999]) {
      await withHostile((c) => { c.sentClose = true; c.accept(frame(8, closeBody(code, `c${code}`))) }, async (srv) => {
        const r = record(srv.url)
        await r.until(`onClose for ${code}`, () => r.count('close') === 1)
        assert.deepEqual(r.closed(), [code, `c${code}`])
      })
    }
  })
  const badClose: Array<[string, Buffer, number[]]> = [
    ['a 1-byte payload', Buffer.from([0x03]), [1002]],
    ...[999, 1004, 1005, 1006, 1015, 2000, 2999, 5000, 65535].map((code): [string, Buffer, number[]] => [`code ${code}`, closeBody(code), [1002]]),
    // §8.1 only says "fail"; Autobahn 7.5.1 and `ws` accept 1007 (invalid data) as well as 1002.
    ['an invalid UTF-8 reason', closeBody(1000, Buffer.from([0x62, 0xff])), [1002, 1007]],
  ]
  for (const [name, body, codes] of badClose) test(`a close frame with ${name} → ${codes.join(' or ')} (§7.4.1, §5.5.1)`, () => expectFail(frame(8, body), codes))
  test('close(code, reason) sends one masked close frame; after it, send/close send nothing', async () => {
    await withHostile((c) => c.accept(), async (srv) => {
      const r = record(srv.url)
      await r.until('open', () => r.count('open') === 1)
      r.socket.close(4008, 'suspended')
      r.socket.send('x')
      r.socket.close(4000, 'twice')
      await r.until('onClose', () => r.count('close') === 1)
      assert.deepEqual(framesOf(srv).map((f) => [f.opcode, f.masked]), [[8, true]])
      assert.deepEqual(closeOf(srv), { code: 4008, reason: 'suspended' })
      assert.equal(r.closed()?.[0], 4008, 'the code of the server answer (§7.1.5)')
      r.sane()
    })
  })
  test('a reason over 123 bytes is cut to the longest prefix that keeps UTF-8 whole (§5.5)', async () => {
    await withHostile((c) => c.accept(), async (srv) => {
      const r = record(srv.url)
      await r.until('open', () => r.count('open') === 1)
      r.socket.close(4000, `a${'€'.repeat(60)}`) // 181 bytes; 'a' + 40 '€' = 121 bytes, 41 would be 124
      await r.until('the close frame', () => closeOf(srv) !== undefined)
      const raw = framesOf(srv, 8)[0]!.payload.subarray(2)
      assert.ok(raw.length <= 123, `reason is ${raw.length} bytes`)
      assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(raw), `a${'€'.repeat(40)}`)
    })
  })
  test('closeTimeoutMs: no answer to our close → socket destroyed, onClose(1006) after the timeout', async () => {
    await withHostile((c) => { c.holdOpen = true; c.accept() }, async (srv) => {
      const r = record(srv.url, {}, { closeTimeoutMs: 200 })
      await r.until('open', () => r.count('open') === 1)
      const t0 = Date.now()
      r.socket.close(1000, 'bye')
      await r.until('onClose', () => r.count('close') === 1, 2_000)
      assert.ok(Date.now() - t0 >= 150, `onClose came after ${Date.now() - t0} ms, before the 200 ms timeout`)
      assert.equal(r.closed()?.[0], 1006, 'no close frame was received (§7.1.5)')
      await r.until('the TCP connection to end', () => srv.conns[0]!.ended, 1_000)
    })
  })
  test('closeTimeoutMs: the server closes but never ends TCP → destroyed, its code reported', async () => {
    await withHostile((c) => { c.holdOpen = true; c.accept(frame(8, closeBody(4001, 'bye'))) }, async (srv) => {
      const r = record(srv.url, {}, { closeTimeoutMs: 200 })
      await r.until('onClose', () => r.count('close') === 1, 2_000)
      assert.deepEqual(r.closed(), [4001, 'bye'])
      await r.until('the TCP connection to end', () => srv.conns[0]!.ended, 1_000)
    })
  })
  for (const when of ['right after open()', 'while the server holds the 101 back']) {
    test(`close() ${when}: never opens, at most one onClose`, async () => {
      let release = (): void => {}
      await withHostile((c) => { release = () => { release = () => {}; c.accept(frame(1, 'hi')) }; if (when.startsWith('right')) release() }, async (srv) => {
        const r = record(srv.url)
        if (!when.startsWith('right')) await r.until('the request at the server', () => srv.conns.length === 1)
        r.socket.close(1000, 'never mind')
        release()
        await settle(150)
        r.sane()
        assert.equal(r.count('open') + r.count('message'), 0, r.seen())
      })
    })
  }
  for (const [name, cut] of [['between frames', 0], ['mid-frame', 3]] as const) {
    test(`TCP dropped ${name} without a close frame → onClose(1006)`, async () => {
      await withHostile((c) => { c.accept(frame(1, 'hello').subarray(0, cut || undefined)); c.socket.destroy() }, async (srv) => {
        const r = record(srv.url)
        await r.until('onClose', () => r.count('close') === 1)
        assert.equal(r.closed()?.[0], 1006)
        await settle()
        r.sane()
      })
    })
  }
})

describe('node-socket: frames the client sends (RFC 6455 §5.1-5.3, §5.6)', () => {
  test('every frame is final, RSV-free, masked with a random key, minimally sized, and decodes to what was sent', async () => {
    const texts = [...Array.from({ length: 6 }, (_, i) => `message ${i} ✓`), ...[0, 125, 126, 65_535, 65_536, 200_000].map((n) => 'q'.repeat(n))]
    await withHostile((c) => c.accept(), async (srv) => {
      const r = record(srv.url)
      await r.until('open', () => r.count('open') === 1)
      for (const t of texts) r.socket.send(t)
      r.socket.send(new Uint8Array([0, 1, 254, 255]).buffer)
      await r.until('all frames at the server', () => framesOf(srv).length === texts.length + 1)
      const frames = framesOf(srv)
      assert.deepEqual(frames.map((f) => [f.fin, f.rsv, f.masked]), frames.map(() => [true, 0, true]))
      assert.deepEqual(frames.map((f) => f.opcode), [...texts.map(() => 1), 2])
      assert.ok(texts.every((t, i) => frames[i]!.payload.toString() === t), 'a payload was corrupted')
      assert.deepEqual(frames.slice(6, 12).map((f) => f.form), [7, 7, 16, 16, 64, 64], 'the minimal length encoding (§5.2)')
      assert.deepEqual([...frames[12]!.payload], [0, 1, 254, 255])
      assert.ok(new Set(frames.map((f) => f.mask.toString('hex'))).size > 1, 'mask keys must not be constant (§5.3)')
    })
  })
})

describe('node-socket: against a real ws server', () => {
  let wss: WebSocketServer
  let base = ''
  const pongs: string[] = []
  before(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 4 << 20 })
    await new Promise<void>((resolve) => wss.once('listening', resolve))
    base = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`
    wss.on('connection', (ws: WebSocket, req) => {
      if (req.url === '/echo') ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
      if (req.url === '/ping') ws.on('pong', (data) => pongs.push(data.toString())).ping('are you there')
    })
  })
  after(async () => {
    for (const c of wss.clients) c.terminate()
    await new Promise<void>((resolve) => wss.close(() => resolve()))
  })
  test('echoes text, unicode, binary, and 1 MB messages both ways', async () => {
    const big = randomBytes(1 << 20)
    const bigText = 'é'.repeat(1 << 19)
    const r = record(`${base}/echo`)
    await r.until('open', () => r.count('open') === 1)
    r.socket.send('plain')
    r.socket.send('ünïcödé ✓ 你好 🎉')
    r.socket.send(new Uint8Array([9, 8, 7, 0, 255]).buffer)
    r.socket.send(big.buffer.slice(big.byteOffset, big.byteOffset + big.length))
    r.socket.send(bigText)
    await r.until('five echoes', () => r.count('message') === 5)
    const m = r.messages()
    assert.deepEqual(m.slice(0, 2), ['plain', 'ünïcödé ✓ 你好 🎉'])
    assert.deepEqual([...new Uint8Array(m[2] as ArrayBuffer)], [9, 8, 7, 0, 255])
    assert.ok(Buffer.from(m[3] as ArrayBuffer).equals(big), '1 MB binary echo differs')
    assert.ok(m[4] === bigText, '1 MB text echo differs')
    r.socket.close(1000, '')
  })
  test('1000 messages sent in a burst come back in order', async () => {
    const texts = Array.from({ length: 1000 }, (_, i) => `burst-${i}`)
    const r = record(`${base}/echo`)
    await r.until('open', () => r.count('open') === 1)
    for (const t of texts) r.socket.send(t)
    await r.until('1000 echoes', () => r.count('message') === 1000)
    assert.deepEqual(r.messages(), texts)
    r.socket.close(1000, '')
  })
  test("ws's ping is answered with its payload", async () => {
    const r = record(`${base}/ping`)
    await r.until('the pong at the server', () => pongs.length === 1)
    assert.deepEqual(pongs, ['are you there'])
    r.socket.close(1000, '')
  })
})
