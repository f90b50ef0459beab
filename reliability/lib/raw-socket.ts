/**
 * A WebSocket client on a bare TCP socket, for what `ws` will not send: unmasked frames, bad
 * UTF-8, reserved bits and opcodes, fragment floods, trickled headers. It parses the server's
 * frames itself, so a test sees the close code the server SENT (ws's own close event would say
 * 1006 when the peer never answers: research/reliability.md §3a).
 */
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { encodeFrame, FrameParser, type FrameSpec, type WsFrame } from '@minisocket/testkit'

export interface Outcome {
  /** Close code of the server's close frame; undefined when TCP ended without one. */
  code: number | undefined
  reason: string
  /** The TCP connection ended (by either side). */
  ended: boolean
}

/** An upgrade request; a header given in `extraHeaders` replaces the default of that name. */
export function upgradeRequest(port: number, extraHeaders = '', path = '/ws'): string {
  const defaults = ['Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13']
  const overridden = (line: string): boolean => extraHeaders.toLowerCase().includes(`${line.slice(0, line.indexOf(':')).toLowerCase()}:`)
  const head = defaults.filter((line) => !overridden(line)).map((line) => `${line}\r\n`).join('')
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${head}${extraHeaders}\r\n`
}

export class RawSocket {
  readonly frames: WsFrame[] = []
  /** The HTTP response head (status line and headers). */
  head = ''
  private readonly parser = new FrameParser()
  private closeFrame: WsFrame | undefined
  private endedFlag = false
  readonly ended: Promise<void>

  private constructor(readonly socket: Socket) {
    socket.on('error', () => undefined)
    this.ended = new Promise((resolve) =>
      socket.once('close', () => {
        this.endedFlag = true
        resolve()
      }),
    )
  }

  /**
   * Sends an upgrade request (with `extraHeaders`, each ending in \r\n) and resolves once the
   * response head arrived: `status` 101 on success, otherwise the HTTP status (or 0 if the
   * socket closed without a response). `request` replaces the whole request head.
   */
  static async open(port: number, extraHeaders = '', timeoutMs = 5000, request?: string): Promise<{ sock: RawSocket; status: number }> {
    const socket = connect(port, '127.0.0.1')
    const sock = new RawSocket(socket)
    const status = await new Promise<number>((resolve) => {
      let received = Buffer.alloc(0)
      const timer = setTimeout(() => done(-1), timeoutMs)
      const done = (code: number): void => {
        clearTimeout(timer)
        socket.off('data', onData)
        resolve(code)
      }
      const onData = (chunk: Buffer): void => {
        received = Buffer.concat([received, chunk])
        const end = received.indexOf('\r\n\r\n')
        if (end < 0) return
        sock.head = received.subarray(0, end).toString('latin1')
        const rest = received.subarray(end + 4)
        socket.off('data', onData)
        clearTimeout(timer)
        const code = Number(/^HTTP\/1\.1 (\d{3})/.exec(sock.head)?.[1] ?? 0)
        if (code === 101) sock.listen(rest)
        resolve(code)
      }
      socket.on('data', onData)
      void sock.ended.then(() => done(0))
      socket.write(request ?? upgradeRequest(port, extraHeaders))
    })
    return { sock, status }
  }

  private listen(first: Buffer): void {
    const take = (chunk: Buffer): void => {
      let frames: WsFrame[]
      try {
        frames = this.parser.push(chunk)
      } catch {
        this.socket.destroy()
        return
      }
      for (const f of frames) {
        if (this.frames.length < 1000) this.frames.push(f)
        if (f.opcode === 0x8 && this.closeFrame === undefined) {
          this.closeFrame = f
          // Answer the close like a well-behaved peer so the server ends TCP promptly.
          this.write({ opcode: 'close', payload: f.payload.subarray(0, 2) })
        }
      }
    }
    if (first.length > 0) take(first)
    this.socket.on('data', take)
  }

  /** Writes one frame, masked unless `mask` is false. */
  write(spec: FrameSpec, mask = true): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(encodeFrame(spec, mask ? randomBytes(4) : null))
  }

  writeRaw(bytes: Buffer): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(bytes)
  }

  /** Waits for a close frame or the end of TCP, at most `timeoutMs`. */
  async outcome(timeoutMs = 5000): Promise<Outcome> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline && this.closeFrame === undefined && !this.endedFlag) await new Promise((r) => setTimeout(r, 10))
    const f = this.closeFrame
    return {
      code: f !== undefined && f.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined,
      reason: f !== undefined ? f.payload.subarray(2).toString('utf8') : '',
      ended: this.endedFlag,
    }
  }

  /** Text frames received, parsed as JSON where possible. */
  texts(): unknown[] {
    return this.frames.filter((f) => f.opcode === 1).map((f) => {
      try {
        return JSON.parse(f.payload.toString('utf8')) as unknown
      } catch {
        return f.payload.toString('utf8')
      }
    })
  }

  destroy(): void {
    this.socket.destroy()
  }
}
