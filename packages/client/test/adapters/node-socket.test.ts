/**
 * Adversarial tests for the zero-dependency RFC 6455 client (src/adapters/node-socket.ts).
 * Most servers here are hand-made `net` servers that speak the handshake themselves and write crafted
 * bytes, so each rule of the RFC can be broken on purpose; the rest run against a real `ws` server.
 * Every server listens on 127.0.0.1 port 0 and is closed in `finally`/`after`; every wait is bounded.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { WebSocketServer, type WebSocket } from 'ws'
import { nodeSocketAdapter, type NodeSocketOptions } from '../../src/adapters/node-socket.js'
import type { OpenOptions } from '../../src/core/adapter.js'
import { runAdapterContract } from '../contract/adapter-contract.js'

// ---------------------------------------------------------------------------------------- helpers
const WAIT_MS = 5_000
async function waitFor(what: string, ok: () => boolean, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
  assert.ok(ok(), `timed out after ${ms} ms waiting for ${what}`)
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
  return {
    socket, events, count,
    messages: (): unknown[] => events.filter((e) => e.type === 'message').map((e) => e.args[0]),
    closed: (): unknown[] | undefined => events.find((e) => e.type === 'close')?.args,
    error: (): unknown => events.find((e) => e.type === 'error')?.args[0],
    sane(): void {
      assert.deepEqual(faults, [])
      assert.ok(count('open') <= 1 && count('close') <= 1, `open ×${count('open')}, close ×${count('close')}`)
    },
  }
}
type Recorder = ReturnType<typeof record>

/** A failed connection: exactly one onError, then onClose(1006, reason) (RFC 6455 §7.1.7, §7.4.1). */
async function failed(r: Recorder, what: string): Promise<string> {
  await waitFor(`onClose after ${what}`, () => r.count('close') > 0)
  r.sane()
  assert.equal(r.count('error'), 1, `onError ×${r.count('error')} after ${what}`)
  const [code, reason] = r.closed() ?? []
  assert.equal(code, 1006, `close code after ${what}`)
  assert.equal(typeof reason, 'string')
  return reason as string
}

/** A server → client frame; `len` forces a 64-bit length field (RFC 6455 §5.2). */
function frame(opcode: number, payload: Buffer | string = '', o: { fin?: boolean; rsv?: number; mask?: boolean; len?: bigint } = {}): Buffer {
  const data = Buffer.from(payload)
  const b0 = ((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode
  const m = o.mask ? 0x80 : 0
  let head: Buffer
  if (o.len !== undefined || data.length > 0xffff) {
    head = Buffer.from([b0, m | 127, 0, 0, 0, 0, 0, 0, 0, 0])
    head.writeBigUInt64BE(o.len ?? BigInt(data.length), 2)
  } else if (data.length >= 126) {
    head = Buffer.from([b0, m | 126, 0, 0])
    head.writeUInt16BE(data.length, 2)
  } else head = Buffer.from([b0, m | data.length])
  if (!o.mask) return Buffer.concat([head, data])
  const key = randomBytes(4)
  return Buffer.concat([head, key, data.map((b, i) => b ^ key[i & 3]!)])
}
const closeBody = (code: number, reason: string | Buffer = ''): Buffer => {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(code)
  return Buffer.concat([b, Buffer.from(reason)])
}

/** A frame the client sent, unmasked by the test server; `form` is the length encoding used. */
interface ClientFrame { fin: boolean; rsv: number; opcode: number; masked: boolean; mask: Buffer; payload: Buffer; form: 7 | 16 | 64 }
function parseFrames(buf: Buffer, out: ClientFrame[]): Buffer {
  for (;;) {
    if (buf.length < 2) return buf
    let len = buf[1]! & 0x7f
    let off = 2
    let form: ClientFrame['form'] = 7
    if (len === 126) [len, off, form] = buf.length < 4 ? [-1, 0, 16] : [buf.readUInt16BE(2), 4, 16]
    else if (len === 127) [len, off, form] = buf.length < 10 ? [-1, 0, 64] : [Number(buf.readBigUInt64BE(2)), 10, 64]
    const masked = (buf[1]! & 0x80) !== 0
    if (len < 0 || buf.length < off + (masked ? 4 : 0) + len) return buf
    const mask = masked ? Buffer.from(buf.subarray(off, off + 4)) : Buffer.alloc(4)
    if (masked) off += 4
    const payload = Buffer.from(buf.subarray(off, off + len)).map((b, i) => b ^ mask[i & 3]!)
    out.push({ fin: (buf[0]! & 0x80) !== 0, rsv: (buf[0]! >> 4) & 7, opcode: buf[0]! & 0x0f, masked, mask, payload, form })
    buf = buf.subarray(off + len)
  }
}

interface Conn {
  socket: Socket
  method: string
  path: string
  headers: Record<string, string>  // lower-case names; repeated headers joined with ', '
  key: string
  frames: ClientFrame[]
  holdOpen: boolean  // true: neither answer the client's close frame nor end the TCP connection
  ended: boolean     // the TCP connection is gone
  respond(lines: string[], then?: Buffer): void
  accept(then?: Buffer, extra?: string[]): void
  close(code: number, reason?: string): void
}
const upgradeLines = (key: string): string[] => ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptFor(key)}`]
const closeOf = (c: Conn | undefined): { code?: number; reason: string } | undefined => {
  const f = c?.frames.find((x) => x.opcode === 8)
  return f && { code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined, reason: f.payload.subarray(2).toString() }
}

interface Hostile { url: string; conns: Conn[]; bytes: number; connections: number }
/** A raw TCP server: `onRequest` runs once the upgrade request's head has arrived. Closed in finally. */
async function withHostile(onRequest: (c: Conn) => void | Promise<void>, body: (srv: Hostile) => Promise<void>): Promise<void> {
  const sockets = new Set<Socket>()
  const srv: Hostile = { url: '', conns: [], bytes: 0, connections: 0 }
  const server = createServer((socket) => {
    sockets.add(socket)
    srv.connections++
    socket.setNoDelay(true)
    socket.on('error', () => {})
    let buf = Buffer.alloc(0)
    let conn: Conn | undefined
    let sentClose = false
    socket.on('close', () => { if (conn) conn.ended = true })
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
          const i = line.indexOf(':')
          const name = line.slice(0, i).trim().toLowerCase()
          headers[name] = headers[name] === undefined ? line.slice(i + 1).trim() : `${headers[name]}, ${line.slice(i + 1).trim()}`
        }
        const [method = '', path = ''] = requestLine.split(' ')
        const c: Conn = {
          socket, method, path, headers, key: headers['sec-websocket-key'] ?? '', frames: [], holdOpen: false, ended: false,
          respond: (ls, then) => { socket.write(Buffer.concat([Buffer.from(`${ls.join('\r\n')}\r\n\r\n`, 'latin1'), then ?? Buffer.alloc(0)])) },
          accept: (then, extra = []) => c.respond([...upgradeLines(c.key), ...extra], then),
          close: (code, reason = '') => { sentClose = true; socket.write(frame(8, closeBody(code, reason))) },
        }
        conn = c
        srv.conns.push(c)
        Promise.resolve(onRequest(c)).catch(() => {}) // a write after the client left is not a failure
      }
      const before = conn.frames.length
      buf = parseFrames(buf, conn.frames)
      // Echo the client's close code and end TCP, as a server does (RFC 6455 §5.5.1, §7.1.1).
      if (!conn.holdOpen && conn.frames.slice(before).some((f) => f.opcode === 8)) {
        if (!sentClose) socket.write(frame(8, conn.frames.find((f) => f.opcode === 8)!.payload.subarray(0, 2)))
        sentClose = true
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

/** Accepts, then writes `bytes`; expects the client to fail with close `code` sent and only 'ok' delivered. */
async function expectFail(bad: Buffer, code: number, options?: NodeSocketOptions): Promise<void> {
  await withHostile((c) => c.accept(Buffer.concat([frame(1, 'ok'), bad, frame(1, 'after')])), async (srv) => {
    const r = record(srv.url, {}, options)
    await failed(r, 'a bad frame')
    await waitFor('the client close frame', () => closeOf(srv.conns[0]) !== undefined)
    assert.equal(closeOf(srv.conns[0])?.code, code, 'close code sent to the server')
    assert.equal(r.count('open'), 1)
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
        await waitFor('open', () => r.count('open') === 1)
        assert.equal(srv.conns[0]?.method, 'GET')
        assert.equal(srv.conns[0]?.path, '/room/1?a=b&c=%20d')
        r.socket.close(1000, '')
      })
    })
  }
  for (const bad of ['ftp://127.0.0.1/x', 'not a url', 'ws://', 'PORT/#frag', 'PORT/path#']) {
    test(`${bad} is reported as onError + onClose(1006), never thrown, never opened`, async () => {
      // Fragments "MUST NOT be used on these URIs" (§3), and a client fails on one (§4.1).
      await withHostile((c) => c.accept(), async (srv) => {
        const r = record(bad.replace('PORT', srv.url))
        await failed(r, bad)
        await settle()
        assert.equal(r.count('open'), 0)
        assert.equal(srv.connections, 0, 'nothing should reach the server')
        r.socket.send('x')
        r.socket.close(1000, '')
      })
    })
  }
})

describe('node-socket: TLS (wss:, https:)', () => {
  const tls = makeCert()
  const skip = tls === undefined ? 'openssl is not installed: cannot make a test certificate' : false
  let server: HttpsServer | undefined
  let wss: WebSocketServer | undefined
  let port = 0
  before(async () => {
    if (tls === undefined) return
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
    test(`${scheme}:// with the server's CA opens and echoes`, { skip }, async () => {
      const r = record(`${scheme}://127.0.0.1:${port}/`, {}, { tls: { ca: tls!.cert } })
      await waitFor('open', () => r.count('open') === 1)
      r.socket.send('secure ✓')
      await waitFor('echo', () => r.count('message') === 1)
      assert.deepEqual(r.messages(), ['secure ✓'])
      r.socket.close(1000, '')
    })
  }
  test('an untrusted certificate fails (verification stays on by default)', { skip }, async () => {
    const r = record(`wss://127.0.0.1:${port}/`)
    await failed(r, 'an untrusted certificate')
    assert.equal(r.count('open'), 0)
  })
})
function makeCert(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'node-socket-tls-'))
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
  } catch {
    return undefined
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('node-socket: opening handshake (RFC 6455 §4.1, §4.2.2)', () => {
  test('the request carries Host, Upgrade, Connection, a fresh 16-byte key, version 13, protocols and headers', async () => {
    await withHostile((c) => c.accept(undefined, ['Sec-WebSocket-Protocol: b']), async (srv) => {
      const a = record(`${srv.url}/x`, { protocols: ['a', 'b'], headers: { Authorization: 'Bearer t', 'X-Id': '7' } })
      const b = record(`${srv.url}/y`)
      await waitFor('both open', () => a.count('open') === 1 && b.count('open') === 1)
      const [ha, hb] = srv.conns.map((c) => c.headers)
      assert.equal(ha?.host, srv.url.slice('ws://'.length))
      assert.equal(ha?.upgrade?.toLowerCase(), 'websocket')
      assert.match(ha?.connection ?? '', /\bupgrade\b/i)
      assert.equal(ha?.['sec-websocket-version'], '13')
      assert.equal(Buffer.from(ha?.['sec-websocket-key'] ?? '', 'base64').length, 16)
      assert.notEqual(ha?.['sec-websocket-key'], hb?.['sec-websocket-key'], 'the key must be random per connection')
      assert.deepEqual(ha?.['sec-websocket-protocol']?.split(/\s*,\s*/), ['a', 'b'])
      assert.equal(hb?.['sec-websocket-protocol'], undefined)
      assert.equal(ha?.authorization, 'Bearer t')
      assert.equal(ha?.['x-id'], '7')
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
        assert.equal(r.count('open'), 0)
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
    { name: 'response headers over 16 KiB', lines: (k) => [...upgradeLines(k), `X-Pad: ${'p'.repeat(20_000)}`] },
  ]
  for (const { name, protocols, lines } of rejected) {
    test(`fails on ${name}`, async () => {
      await withHostile((c) => c.respond(lines(c.key), frame(1, 'not for you')), async (srv) => {
        const r = record(srv.url, { protocols })
        await failed(r, name)
        assert.equal(r.count('open'), 0)
        assert.equal(r.count('message'), 0)
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
        const code = status.slice(0, 3)
        assert.match(String((r.error() as Error)?.message ?? r.error()), new RegExp(code))
        assert.match(reason, new RegExp(code))
      })
    })
  }
  test('accepts Upgrade: WebSocket and Connection: keep-alive, Upgrade (tokens are case-insensitive)', async () => {
    const lines = (k: string) => ['HTTP/1.1 101 Switching Protocols', 'upgrade: WebSocket', 'CONNECTION: keep-alive, Upgrade', `sec-websocket-accept: ${acceptFor(k)}`]
    await withHostile((c) => c.respond(lines(c.key), frame(1, 'hi')), async (srv) => {
      const r = record(srv.url)
      await waitFor('message', () => r.count('message') === 1)
      assert.deepEqual(r.messages(), ['hi'])
      r.socket.close(1000, '')
    })
  })
  test('frames in the same TCP chunk as the 101 response are delivered, in order', async () => {
    await withHostile((c) => c.accept(Buffer.concat([frame(1, 'first'), frame(2, Buffer.from([1, 2, 3]))])), async (srv) => {
      const r = record(srv.url)
      await waitFor('two messages', () => r.count('message') === 2)
      assert.equal(r.messages()[0], 'first')
      assert.deepEqual([...new Uint8Array(r.messages()[1] as ArrayBuffer)], [1, 2, 3])
      r.socket.close(1000, '')
    })
  })
  test('the server hanging up mid-response fails the connection', async () => {
    await withHostile((c) => { c.socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n') }, async (srv) => {
      const r = record(srv.url)
      await failed(r, 'a truncated response')
      assert.equal(r.count('open'), 0)
    })
  })
})

describe('node-socket: frames from the server (RFC 6455 §5.2, §5.4, §5.5.2-3, §5.6)', () => {
  test('text arrives as string, binary as ArrayBuffer, empty ones too, in order', async () => {
    const bytes = Buffer.from([0, 255, 128, 7])
    await withHostile((c) => c.accept(Buffer.concat([frame(1, 'héllo 🎉'), frame(2, bytes), frame(1, ''), frame(2, '')])), async (srv) => {
      const r = record(srv.url)
      await waitFor('four messages', () => r.count('message') === 4)
      const [text, bin, emptyText, emptyBin] = r.messages()
      assert.equal(text, 'héllo 🎉')
      assert.ok(bin instanceof ArrayBuffer && emptyBin instanceof ArrayBuffer, 'binary must be an ArrayBuffer')
      assert.deepEqual(Buffer.from(bin), bytes)
      assert.equal(emptyText, '')
      assert.equal(emptyBin.byteLength, 0)
      r.socket.close(1000, '')
    })
  })
  test('7-bit, 16-bit and 64-bit payload lengths: 125, 126, 65535, 70 000 and 200 000 bytes', async () => {
    const sizes = [125, 126, 65_535, 70_000, 200_000]
    await withHostile((c) => c.accept(Buffer.concat(sizes.map((n, i) => frame(1, String.fromCharCode(97 + i).repeat(n))))), async (srv) => {
      const r = record(srv.url)
      await waitFor('five messages', () => r.count('message') === sizes.length)
      assert.deepEqual(r.messages(), sizes.map((n, i) => String.fromCharCode(97 + i).repeat(n)))
      r.socket.close(1000, '')
    })
  })
  test('fragments are reassembled, with a ping between them and a UTF-8 character split across them (§5.4, §8.1)', async () => {
    const euro = Buffer.from('€') // e2 82 ac: valid as a whole message, not per fragment
    const bytes = Buffer.concat([frame(1, Buffer.from([0x68, euro[0]!]), { fin: false }), frame(9, 'mid'), frame(0, euro.subarray(1), { fin: false }),
      frame(10, 'stray pong'), frame(0, '!'), frame(2, 'ab', { fin: false }), frame(0, 'cd')])
    await withHostile((c) => c.accept(bytes), async (srv) => {
      const r = record(srv.url)
      await waitFor('two messages', () => r.count('message') === 2)
      assert.equal(r.messages()[0], 'h€!')
      assert.equal(Buffer.from(r.messages()[1] as ArrayBuffer).toString(), 'abcd')
      await waitFor('the pong', () => srv.conns[0]!.frames.some((f) => f.opcode === 10))
      assert.equal(srv.conns[0]!.frames.find((f) => f.opcode === 10)?.payload.toString(), 'mid')
      r.socket.close(1000, '')
    })
  })
  test('each ping is answered by a masked pong with the same payload; pongs are not messages', async () => {
    const big = randomBytes(125)
    await withHostile((c) => c.accept(Buffer.concat([frame(9, big), frame(9, ''), frame(10, 'x'), frame(1, 'end')])), async (srv) => {
      const r = record(srv.url)
      await waitFor('two pongs', () => srv.conns[0]!.frames.filter((f) => f.opcode === 10).length === 2)
      const pongs = srv.conns[0]!.frames.filter((f) => f.opcode === 10)
      assert.deepEqual(pongs.map((p) => [p.masked, p.fin, p.payload.toString('hex')]), [[true, true, big.toString('hex')], [true, true, '']])
      await waitFor('message', () => r.count('message') === 1)
      assert.deepEqual(r.messages(), ['end'])
      r.socket.close(1000, '')
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
      await waitFor('four messages', () => r.count('message') === 4)
      assert.equal(r.messages()[0], 'a')
      assert.equal((r.messages()[1] as ArrayBuffer).byteLength, 300)
      assert.deepEqual(r.messages().slice(2), ['xy', 'z'.repeat(200)])
      r.socket.close(1000, '')
    })
  })
  test('500 frames in one TCP chunk are all delivered, in order', async () => {
    const texts = Array.from({ length: 500 }, (_, i) => `m${i}`)
    await withHostile((c) => c.accept(Buffer.concat(texts.map((t) => frame(1, t)))), async (srv) => {
      const r = record(srv.url)
      await waitFor('500 messages', () => r.count('message') === 500)
      assert.deepEqual(r.messages(), texts)
      r.socket.close(1000, '')
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
  test('maxPayload: a declared length of 1 TiB fails at once, before any payload arrives', () =>
    expectFail(frame(2, '', { len: 1n << 40n }), 1009))
  test('maxPayload: a message of exactly the limit is accepted', async () => {
    await withHostile((c) => c.accept(Buffer.concat([frame(1, 'a'.repeat(512), { fin: false }), frame(0, 'b'.repeat(512))])), async (srv) => {
      const r = record(srv.url, {}, { maxPayload: 1024 })
      await waitFor('message', () => r.count('message') === 1)
      assert.equal((r.messages()[0] as string).length, 1024)
      r.socket.close(1000, '')
    })
  })
})

describe('node-socket: closing handshake (RFC 6455 §5.5.1, §7.1, §7.4)', () => {
  test("the server's close is echoed (masked, same code) and reported once with its code and reason", async () => {
    await withHostile((c) => c.close(4001, 'bye ✓'), async (srv) => {
      const r = record(srv.url)
      await waitFor('onClose', () => r.count('close') === 1)
      assert.deepEqual(r.closed(), [4001, 'bye ✓'])
      const echo = srv.conns[0]!.frames.find((f) => f.opcode === 8)
      assert.equal(echo?.masked, true)
      assert.equal(closeOf(srv.conns[0])?.code, 4001)
      r.socket.send('late')
      r.socket.close(1000, 'again')
      await settle()
      r.sane()
      assert.equal(srv.conns[0]!.frames.length, 1, 'nothing may be sent after the close')
    })
  })
  test('an empty close payload reports 1005 (§7.1.5), and is answered', async () => {
    await withHostile((c) => { c.socket.write(frame(8)) }, async (srv) => {
      const r = record(srv.url)
      await waitFor('onClose', () => r.count('close') === 1)
      assert.deepEqual(r.closed(), [1005, ''])
      assert.ok(closeOf(srv.conns[0]), 'the client must answer with a close frame')
    })
  })
  test('valid close codes are reported as sent: 1000, 1001, 1003, 1011, 3000, 4999', async () => {
    for (const code of [1000, 1001, 1003, 1011, 3000, 4999]) {
      await withHostile((c) => c.close(code, `c${code}`), async (srv) => {
        const r = record(srv.url)
        await waitFor(`onClose for ${code}`, () => r.count('close') === 1)
        assert.deepEqual(r.closed(), [code, `c${code}`])
      })
    }
  })
  const badClose: Array<[string, Buffer]> = [
    ['a 1-byte payload', Buffer.from([0x03])],
    ...[999, 1004, 1005, 1006, 1015, 2000, 2999, 5000, 65535].map((code): [string, Buffer] => [`code ${code}`, closeBody(code)]),
    ['an invalid UTF-8 reason', closeBody(1000, Buffer.from([0x62, 0xff]))],
  ]
  for (const [name, body] of badClose) test(`a close frame with ${name} → 1002 (§7.4.1, §5.5.1)`, () => expectFail(frame(8, body), 1002))
  test('data frames after the server close are discarded (§5.5.1)', async () => {
    await withHostile((c) => { c.socket.write(Buffer.concat([frame(8, closeBody(1000)), frame(1, 'late')])) }, async (srv) => {
      const r = record(srv.url)
      await waitFor('onClose', () => r.count('close') === 1)
      assert.equal(r.count('message'), 0)
      assert.equal(r.closed()?.[0], 1000)
    })
  })
  test('close(code, reason) sends one masked close frame; after it, send/close send nothing', async () => {
    await withHostile((c) => c.accept(), async (srv) => {
      const r = record(srv.url)
      await waitFor('open', () => r.count('open') === 1)
      r.socket.close(4008, 'suspended')
      r.socket.send('x')
      r.socket.close(4000, 'twice')
      await waitFor('onClose', () => r.count('close') === 1)
      const frames = srv.conns[0]!.frames
      assert.deepEqual(frames.map((f) => [f.opcode, f.masked]), [[8, true]])
      assert.deepEqual(closeOf(srv.conns[0]), { code: 4008, reason: 'suspended' })
      assert.equal(r.closed()?.[0], 4008, 'the code of the server answer (§7.1.5)')
      r.sane()
    })
  })
  test('a reason over 123 bytes is cut to the longest prefix that keeps UTF-8 whole (§5.5)', async () => {
    await withHostile((c) => c.accept(), async (srv) => {
      const r = record(srv.url)
      await waitFor('open', () => r.count('open') === 1)
      r.socket.close(4000, `a${'€'.repeat(60)}`) // 181 bytes; 'a' + 40 '€' = 121 bytes, 41 would be 124
      await waitFor('the close frame', () => closeOf(srv.conns[0]) !== undefined)
      const raw = srv.conns[0]!.frames.find((f) => f.opcode === 8)!.payload.subarray(2)
      assert.ok(raw.length <= 123, `reason is ${raw.length} bytes`)
      assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(raw), `a${'€'.repeat(40)}`)
    })
  })
  test('closeTimeoutMs: no answer to our close → socket destroyed, onClose(1006) after the timeout', async () => {
    await withHostile((c) => { c.holdOpen = true; c.accept() }, async (srv) => {
      const r = record(srv.url, {}, { closeTimeoutMs: 200 })
      await waitFor('open', () => r.count('open') === 1)
      const t0 = Date.now()
      r.socket.close(1000, 'bye')
      await waitFor('onClose', () => r.count('close') === 1, 2_000)
      const elapsed = Date.now() - t0
      assert.ok(elapsed >= 150, `onClose came after ${elapsed} ms, before the 200 ms timeout`)
      assert.equal(r.closed()?.[0], 1006, 'no close frame was received (§7.1.5)')
      await waitFor('the TCP connection to end', () => srv.conns[0]!.ended, 1_000)
    })
  })
  test('closeTimeoutMs: the server closes but never ends TCP → destroyed, its code reported', async () => {
    await withHostile((c) => { c.holdOpen = true; c.close(4001, 'bye') }, async (srv) => {
      const r = record(srv.url, {}, { closeTimeoutMs: 200 })
      await waitFor('onClose', () => r.count('close') === 1, 2_000)
      assert.deepEqual(r.closed(), [4001, 'bye'])
      await waitFor('the TCP connection to end', () => srv.conns[0]!.ended, 1_000)
    })
  })
  test('close() right after open(): never opens, at most one onClose', async () => {
    await withHostile((c) => c.accept(frame(1, 'hi')), async (srv) => {
      const r = record(srv.url)
      r.socket.close(1000, 'never mind')
      await settle(150)
      r.sane()
      assert.equal(r.count('open') + r.count('message'), 0)
    })
  })
  test('close() while the server holds the 101 back: a late 101 does not open it', async () => {
    let release = (): void => {}
    await withHostile((c) => { release = () => c.accept(frame(1, 'hi')) }, async (srv) => {
      const r = record(srv.url)
      await waitFor('the request at the server', () => srv.conns.length === 1)
      r.socket.close(1000, 'never mind')
      release()
      await settle(150)
      r.sane()
      assert.equal(r.count('open') + r.count('message'), 0)
    })
  })
  for (const [name, cut] of [['between frames', 0], ['mid-frame', 3]] as const) {
    test(`TCP dropped ${name} without a close frame → onClose(1006)`, async () => {
      await withHostile((c) => { c.accept(frame(1, 'hello').subarray(0, cut || undefined)); c.socket.destroy() }, async (srv) => {
        const r = record(srv.url)
        await waitFor('onClose', () => r.count('close') === 1)
        assert.equal(r.closed()?.[0], 1006)
        await settle()
        r.sane()
      })
    })
  }
})

describe('node-socket: frames the client sends (RFC 6455 §5.1-5.3, §5.6)', () => {
  test('every frame is final, RSV-free, masked with a random key, and decodes to what was sent', async () => {
    await withHostile((c) => c.accept(), async (srv) => {
      const r = record(srv.url)
      await waitFor('open', () => r.count('open') === 1)
      const texts = Array.from({ length: 8 }, (_, i) => `message ${i} ✓`)
      for (const t of texts) r.socket.send(t)
      r.socket.send(new Uint8Array([0, 1, 254, 255]).buffer)
      await waitFor('nine frames', () => srv.conns[0]!.frames.length === 9)
      const frames = srv.conns[0]!.frames
      assert.deepEqual(frames.map((f) => [f.fin, f.rsv, f.masked]), frames.map(() => [true, 0, true]))
      assert.deepEqual(frames.map((f) => f.opcode), [...texts.map(() => 1), 2])
      assert.deepEqual(frames.slice(0, 8).map((f) => f.payload.toString()), texts)
      assert.deepEqual([...frames[8]!.payload], [0, 1, 254, 255])
      assert.ok(new Set(frames.map((f) => f.mask.toString('hex'))).size > 1, 'mask keys must not be constant (§5.3)')
      r.socket.close(1000, '')
    })
  })
  test('lengths use the minimal encoding: 0, 125, 126, 65535, 65536, 200 000 bytes (§5.2)', async () => {
    const sizes = [0, 125, 126, 65_535, 65_536, 200_000]
    await withHostile((c) => c.accept(), async (srv) => {
      const r = record(srv.url)
      await waitFor('open', () => r.count('open') === 1)
      for (const n of sizes) r.socket.send('q'.repeat(n))
      await waitFor('all frames', () => srv.conns[0]!.frames.length === sizes.length)
      const frames = srv.conns[0]!.frames
      assert.deepEqual(frames.map((f) => f.payload.length), sizes)
      assert.deepEqual(frames.map((f) => f.form), [7, 7, 16, 16, 64, 64])
      assert.ok(frames.every((f) => f.payload.every((b) => b === 0x71)), 'payload corrupted by masking')
      r.socket.close(1000, '')
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
      if (req.url === '/ping') {
        ws.on('pong', (data) => pongs.push(data.toString()))
        ws.ping('are you there')
      }
    })
  })
  after(async () => {
    for (const c of wss.clients) c.terminate()
    await new Promise<void>((resolve) => wss.close(() => resolve()))
  })
  test('echoes text, unicode and binary', async () => {
    const r = record(`${base}/echo`)
    await waitFor('open', () => r.count('open') === 1)
    r.socket.send('plain')
    r.socket.send('ünïcödé ✓ 你好 🎉')
    r.socket.send(new Uint8Array([9, 8, 7, 0, 255]).buffer)
    await waitFor('three echoes', () => r.count('message') === 3)
    assert.deepEqual(r.messages().slice(0, 2), ['plain', 'ünïcödé ✓ 你好 🎉'])
    assert.deepEqual([...new Uint8Array(r.messages()[2] as ArrayBuffer)], [9, 8, 7, 0, 255])
    r.socket.close(1000, '')
  })
  test('a 1 MB binary message and a 1 MB text message go both ways intact', async () => {
    const bin = randomBytes(1 << 20)
    const text = 'é'.repeat(1 << 19)
    const r = record(`${base}/echo`)
    await waitFor('open', () => r.count('open') === 1)
    r.socket.send(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length))
    r.socket.send(text)
    await waitFor('two echoes', () => r.count('message') === 2)
    assert.ok(Buffer.from(r.messages()[0] as ArrayBuffer).equals(bin), '1 MB binary echo differs')
    assert.ok(r.messages()[1] === text, '1 MB text echo differs')
    r.socket.close(1000, '')
  })
  test('1000 messages sent in a burst come back in order', async () => {
    const texts = Array.from({ length: 1000 }, (_, i) => `burst-${i}`)
    const r = record(`${base}/echo`)
    await waitFor('open', () => r.count('open') === 1)
    for (const t of texts) r.socket.send(t)
    await waitFor('1000 echoes', () => r.count('message') === 1000)
    assert.deepEqual(r.messages(), texts)
    r.socket.close(1000, '')
  })
  test("ws's ping is answered with its payload", async () => {
    const r = record(`${base}/ping`)
    await waitFor('the pong at the server', () => pongs.length === 1)
    assert.deepEqual(pongs, ['are you there'])
    r.socket.close(1000, '')
  })
})
