/**
 * The load generator's lean WebSocket client (RFC 6455, client side, no extensions): the HTTP
 * upgrade written by hand, server frames parsed straight out of one shared read buffer, text
 * messages handed over as strings. It exists so that the receiving side is not what a fan-out
 * measures: through `ws`'s client, a delivery cost the load generator 12-16 µs (two streams, an
 * event emitter and a nextTick per read), more than the servers spent sending it, so the p99 at
 * S = 100 and 1000 followed the load generator's CPU % (bench/analysis.md). Every peer's
 * receiver runs on this one client; only its wire dialect (clients.ts) and the JSON differ.
 *
 * Reads use `net`'s `onread` with ONE buffer shared by every socket of the process: libuv reads
 * into it and the callback consumes the bytes before returning (a partial frame is copied into
 * the connection's own carry buffer), so no per-read Buffer is allocated and no stream runs.
 */
import { createHash, randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

const READ_BUFFER = Buffer.allocUnsafe(256 * 1024)
/** Reads (onread callbacks) of every socket of the process: a diagnostic, reads per delivery. */
export const rawWsStats = { reads: 0 }
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
/** Bounds: a handshake reply or a message larger than these is a broken peer, not a load. */
const MAX_HEADER_BYTES = 16 * 1024
const MAX_MESSAGE_BYTES = 1024 * 1024

export interface RawWsHandlers {
  onText(text: string): void
  /** A protocol error, a close frame or the socket's end; called once. */
  onClose(reason: string): void
}

export interface RawWs {
  send(text: string): void
  close(): void
}

/** Opens `ws://127.0.0.1:<port><path>`; resolves once the server answered 101. */
export function openRawWs(port: number, path: string, timeoutMs: number, h: RawWsHandlers): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64')
    const accept = createHash('sha1').update(key + WS_GUID).digest('base64')
    let conn: Connection | undefined
    let settled = false
    const fail = (reason: string): void => {
      clearTimeout(timer)
      socket.destroy()
      if (!settled) { settled = true; reject(new Error(reason)) }
      else if (conn) conn.closed(reason)
    }
    let head = Buffer.alloc(0)
    const socket: Socket = connect({
      host: '127.0.0.1',
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array): boolean => {
          rawWsStats.reads++
          if (conn) { conn.bytes(buf as Buffer, n); return true }
          // Still in the handshake: collect the reply's head, then hand the rest to the parser.
          head = Buffer.concat([head, (buf as Buffer).subarray(0, n)])
          const end = head.indexOf('\r\n\r\n')
          if (end < 0) {
            if (head.length > MAX_HEADER_BYTES) fail('handshake reply too large')
            return true
          }
          const text = head.toString('latin1', 0, end)
          if (!/^HTTP\/1\.1 101 /.test(text)) { fail(`upgrade refused: ${text.split('\r\n')[0]}`); return false }
          if (!new RegExp(`\r\nsec-websocket-accept: *${accept.replace(/[+/=]/g, '\\$&')} *(\r\n|$)`, 'i').test(text)) { fail('bad Sec-WebSocket-Accept'); return false }
          clearTimeout(timer)
          settled = true
          conn = new Connection(socket, h)
          resolve(conn)
          // Frames that came with the 101 wait for the caller's `await` to have returned: its
          // handlers may use the connection it resolves to (an early ping needs a pong).
          const rest = head.subarray(end + 4)
          if (rest.length > 0) conn.hold(rest)
          return true
        },
      },
    })
    // After connect(): if it throws, the promise rejects with no timer left armed.
    const timer = setTimeout(() => fail(`ws open timed out after ${timeoutMs} ms`), timeoutMs)
    socket.on('error', (e) => fail(e.message))
    socket.on('close', () => fail('socket closed'))
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
        + `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`)
    })
  })
}

const OP_CONTINUATION = 0x0
const OP_TEXT = 0x1
const OP_BINARY = 0x2
const OP_CLOSE = 0x8
const OP_PING = 0x9
const OP_PONG = 0xa

class Connection implements RawWs {
  /** Bytes of an incomplete frame, kept from the previous read. */
  private carry: Buffer | undefined
  /** Payloads of a fragmented message so far (servers here never fragment; handled anyway). */
  private fragments: Buffer[] | undefined
  private fragmentBytes = 0
  /** Reads held until the next turn (`hold`), in order. */
  private held: Buffer[] | undefined
  private done = false

  constructor(private readonly socket: Socket, private readonly h: RawWsHandlers) {}

  /** Keeps a copy of `bytes`, and of every read until the next turn, then consumes them in order. */
  hold(bytes: Buffer): void {
    this.held = [Buffer.from(bytes)]
    setImmediate(() => {
      const held = this.held!
      this.held = undefined
      for (const b of held) this.bytes(b, b.length)
    })
  }

  /** Consumes `n` bytes of `buf` now: `buf` may be the shared read buffer. */
  bytes(buf: Buffer, n: number): void {
    if (this.held) { this.held.push(Buffer.from(buf.subarray(0, n))); return }
    let data = buf
    let end = n
    if (this.carry) {
      data = Buffer.concat([this.carry, buf.subarray(0, n)])
      end = data.length
      this.carry = undefined
    }
    let at = 0
    while (!this.done && end - at >= 2) {
      const b0 = data[at]!
      const b1 = data[at + 1]!
      if (b1 & 0x80) return this.fail('a server frame must not be masked')
      // No extension was negotiated, so the reserved bits must be 0 (RFC 6455 5.2).
      if (b0 & 0x70) return this.fail('reserved bits set')
      let len = b1 & 0x7f
      let headLen = 2
      if (len === 126) {
        if (end - at < 4) break
        len = data.readUInt16BE(at + 2)
        headLen = 4
      } else if (len === 127) {
        if (end - at < 10) break
        len = Number(data.readBigUInt64BE(at + 2))
        headLen = 10
      }
      if (len > MAX_MESSAGE_BYTES) return this.fail(`frame of ${len} bytes`)
      if (end - at < headLen + len) break
      this.frame(b0, data, at + headLen, at + headLen + len)
      at += headLen + len
    }
    // Copy: `data` may be the shared read buffer, which the next read overwrites.
    if (!this.done && at < end) this.carry = Buffer.from(data.subarray(at, end))
  }

  private frame(b0: number, data: Buffer, start: number, end: number): void {
    const fin = (b0 & 0x80) !== 0
    const op = b0 & 0x0f
    if (op >= OP_CLOSE && (!fin || end - start > 125)) return this.fail('a control frame must be whole and at most 125 bytes')
    if (op === OP_TEXT || op === OP_BINARY) {
      if (this.fragments) return this.fail('a new message inside a fragmented one')
      if (fin) { this.h.onText(data.toString('utf8', start, end)); return }
      this.fragments = []
      this.fragmentBytes = 0
    }
    if (op === OP_TEXT || op === OP_BINARY || op === OP_CONTINUATION) {
      if (!this.fragments) return this.fail('continuation without a first fragment')
      this.fragmentBytes += end - start
      if (this.fragmentBytes > MAX_MESSAGE_BYTES) return this.fail(`message of over ${MAX_MESSAGE_BYTES} bytes`)
      this.fragments.push(Buffer.from(data.subarray(start, end)))
      if (fin) this.message()
      return
    }
    if (op === OP_PING) { this.write(OP_PONG, data.subarray(start, end)); return }
    if (op === OP_PONG) return
    if (op === OP_CLOSE) {
      // Answer with a close frame echoing the code (RFC 6455 5.5.1), then report and end.
      const code = end - start >= 2 ? data.readUInt16BE(start) : undefined
      this.write(OP_CLOSE, code === undefined ? Buffer.alloc(0) : data.subarray(start, start + 2))
      return this.fail(`close frame ${code ?? ''}`.trim())
    }
    this.fail(`unknown opcode ${op}`)
  }

  private message(): void {
    const whole = Buffer.concat(this.fragments!)
    this.fragments = undefined
    this.h.onText(whole.toString('utf8'))
  }

  send(text: string): void {
    this.write(OP_TEXT, Buffer.from(text, 'utf8'))
  }

  /** A masked client frame (RFC 6455 5.3: every client frame is masked, with a fresh key). */
  private write(op: number, payload: Buffer): void {
    if (this.done) return
    const len = payload.length
    const headLen = len < 126 ? 2 : len < 65536 ? 4 : 10
    const out = Buffer.allocUnsafe(headLen + 4 + len)
    out[0] = 0x80 | op
    if (headLen === 2) out[1] = 0x80 | len
    else if (headLen === 4) { out[1] = 0x80 | 126; out.writeUInt16BE(len, 2) }
    else { out[1] = 0x80 | 127; out.writeBigUInt64BE(BigInt(len), 2) }
    const mask = randomBytes(4)
    mask.copy(out, headLen)
    for (let i = 0; i < len; i++) out[headLen + 4 + i] = payload[i]! ^ mask[i & 3]!
    this.socket.write(out)
  }

  /** A normal closure: a close frame (1000), then the socket ends (destroyed after 1 s at most). */
  close(): void {
    if (this.done) return
    const code = Buffer.allocUnsafe(2)
    code.writeUInt16BE(1000)
    this.write(OP_CLOSE, code)
    this.done = true
    this.socket.end()
    setTimeout(() => this.socket.destroy(), 1000).unref()
  }

  /** The socket ended or errored after the handshake. */
  closed(reason: string): void {
    if (this.done) return
    this.done = true
    this.h.onClose(reason)
  }

  private fail(reason: string): void {
    this.closed(reason)
    this.socket.end()
    setTimeout(() => this.socket.destroy(), 1000).unref()
  }
}
