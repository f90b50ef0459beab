/**
 * RFC 6455 framing for the client side of a connection, on Node Buffers: masked frames out
 * (§5.3), and an incremental reader of the server's frames in (§5.2) that reassembles fragmented
 * messages (§5.4), checks what a client must check and names the close code for each failure.
 * No I/O here: node-socket.ts feeds it the bytes of a TCP connection.
 */
import { isUtf8 } from 'node:buffer'
import { randomFillSync } from 'node:crypto'
import { CloseCode } from '@minisocket/protocol'

export const Opcode = { Continuation: 0x0, Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const

/** A frame the client must not accept: fail the connection with `code` (RFC 6455 §7.1.7). */
export class FrameError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

/** The receiving side's callbacks, one per kind of complete message. */
export interface FrameSink {
  text(data: string): void
  binary(data: ArrayBuffer): void
  ping(payload: Buffer): void
  /** `code` 1005 when the close frame had no status code (§7.1.5). */
  close(code: number, reason: string): void
}

// Masking keys come from the CSPRNG (§5.3: "unpredictable"), drawn 2048 at a time as ws does.
const maskPool = Buffer.allocUnsafe(8192)
let maskAt = maskPool.length

/**
 * One masked frame (FIN set) in a single buffer, so a send is one write and one syscall.
 * Text is encoded straight into the frame; the payload length uses the shortest form (§5.2).
 */
export function maskedFrame(opcode: number, payload: string | Uint8Array): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength
  const header = length < 126 ? 6 : length < 65_536 ? 8 : 14
  const frame = Buffer.allocUnsafe(header + length)
  frame[0] = 0x80 | opcode
  if (length < 126) {
    frame[1] = 0x80 | length
  } else if (length < 65_536) {
    frame[1] = 0x80 | 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 0x80 | 127
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2)
    frame.writeUInt32BE(length >>> 0, 6)
  }
  if (maskAt === maskPool.length) {
    randomFillSync(maskPool)
    maskAt = 0
  }
  // Four stores, not maskPool.copy(): a native call for 4 bytes cost more than the stores.
  const m0 = (frame[header - 4] = maskPool[maskAt]!)
  const m1 = (frame[header - 3] = maskPool[maskAt + 1]!)
  const m2 = (frame[header - 2] = maskPool[maskAt + 2]!)
  const m3 = (frame[header - 1] = maskPool[maskAt + 3]!)
  maskAt += 4
  if (typeof payload === 'string') frame.write(payload, header, 'utf8')
  else frame.set(payload, header)
  const end = header + length
  let i = header
  for (const stop = end - 3; i < stop; i += 4) {
    frame[i] = frame[i]! ^ m0
    frame[i + 1] = frame[i + 1]! ^ m1
    frame[i + 2] = frame[i + 2]! ^ m2
    frame[i + 3] = frame[i + 3]! ^ m3
  }
  for (let k = 0; i < end; i++, k++) frame[i] = frame[i]! ^ (k === 0 ? m0 : k === 1 ? m1 : m2)
  return frame
}

/** The payload of a close frame: the code, then the reason cut to 123 bytes on a character boundary (§5.5). */
export function closePayload(code: number, reason: string): Buffer {
  // Encoded once and cut on a byte boundary: a reason is the server's text and may be long.
  let text = Buffer.from(reason)
  if (text.length > 123) {
    let end = 123
    while (end > 0 && (text[end]! & 0xc0) === 0x80) end-- // not inside a UTF-8 sequence
    text = text.subarray(0, end)
  }
  const payload = Buffer.allocUnsafe(2 + text.length)
  payload.writeUInt16BE(code, 0)
  text.copy(payload, 2)
  return payload
}

/** Codes a close frame may carry (§7.4.1, §7.4.2): not 1004–1006, 1015 or the unassigned ones. */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
}

/**
 * Reads the server's frames from TCP chunks of any size. Bytes are queued until the next frame
 * is whole and joined once, so a large frame that arrives in many chunks is copied once, not
 * once per chunk. Throws FrameError on the first frame a client must reject; the reader is
 * then finished and the caller fails the connection.
 */
export class FrameReader {
  private queue: Buffer[] = []
  private queued = 0
  /** Bytes the next frame needs in all (0: its header is not whole yet). */
  private need = 0
  private fragments: Buffer[] = []
  private fragmentBytes = 0
  /** Opcode of the fragmented message in progress, or -1. */
  private fragmentOpcode = -1

  constructor(
    private readonly sink: FrameSink,
    private readonly maxPayload: number,
  ) {}

  /**
   * `transient`: the chunk is a view of a read buffer that the next read overwrites (net's
   * `onread`, node-socket.ts), so the start of an incomplete frame is copied before it is kept.
   * A chunk of its own (a 'data' event's) is kept as a view.
   */
  push(chunk: Buffer, transient = false): void {
    let bytes = chunk
    if (this.queued > 0) {
      this.queue.push(transient ? Buffer.from(chunk) : chunk)
      this.queued += chunk.length
      if (this.queued < this.need) return
      bytes = Buffer.concat(this.queue, this.queued) // a copy of our own
      this.queue = []
      this.queued = 0
      this.need = 0
    }
    const at = this.frames(bytes)
    if (at < bytes.length) {
      const rest = bytes.subarray(at)
      this.queue.push(transient && bytes === chunk ? Buffer.from(rest) : rest)
      this.queued = bytes.length - at
    }
  }

  /** Reads every whole frame in `bytes`; returns where the first incomplete one starts. */
  private frames(bytes: Buffer): number {
    let at = 0
    while (bytes.length - at >= 2) {
      const b0 = bytes[at]!
      const b1 = bytes[at + 1]!
      let length = b1 & 0x7f
      let header = 2
      if (length === 126) {
        if (bytes.length - at < 4) return at
        length = bytes.readUInt16BE(at + 2)
        header = 4
      } else if (length === 127) {
        if (bytes.length - at < 10) return at
        const high = bytes.readUInt32BE(at + 2)
        if (high > 0x7fffffff) throw new FrameError(CloseCode.ProtocolError, 'the most significant bit of a 64-bit length must be 0')
        length = high * 2 ** 32 + bytes.readUInt32BE(at + 6)
        header = 10
      }
      this.check(b0, b1, length)
      if (bytes.length - at < header + length) {
        this.need = header + length
        return at
      }
      this.frame(b0 & 0x80, b0 & 0x0f, bytes.subarray(at + header, at + header + length))
      at += header + length
    }
    return at
  }

  /** What can be judged from the header alone, before the payload is waited for. */
  private check(b0: number, b1: number, length: number): void {
    const opcode = b0 & 0x0f
    if (b0 & 0x70) throw new FrameError(CloseCode.ProtocolError, 'RSV bits set without a negotiated extension')
    if (b1 & 0x80) throw new FrameError(CloseCode.ProtocolError, 'a server frame must not be masked')
    if (opcode >= 0x8) {
      if (opcode > Opcode.Pong) throw new FrameError(CloseCode.ProtocolError, `unknown opcode ${opcode}`)
      if (!(b0 & 0x80)) throw new FrameError(CloseCode.ProtocolError, 'a control frame must not be fragmented')
      if (length > 125) throw new FrameError(CloseCode.ProtocolError, 'a control frame carries at most 125 bytes')
      return
    }
    if (opcode > Opcode.Binary) throw new FrameError(CloseCode.ProtocolError, `unknown opcode ${opcode}`)
    if (opcode === Opcode.Continuation && this.fragmentOpcode < 0) throw new FrameError(CloseCode.ProtocolError, 'a continuation frame without a message to continue')
    if (opcode !== Opcode.Continuation && this.fragmentOpcode >= 0) throw new FrameError(CloseCode.ProtocolError, 'a new message before the fragmented one ended')
    if (this.fragmentBytes + length > this.maxPayload) throw new FrameError(CloseCode.MessageTooBig, `a message over ${this.maxPayload} bytes`)
  }

  private frame(fin: number, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case Opcode.Ping:
        return this.sink.ping(payload)
      case Opcode.Pong:
        return
      case Opcode.Close:
        return this.closeFrame(payload)
    }
    if (!fin) {
      if (opcode !== Opcode.Continuation) this.fragmentOpcode = opcode
      // Copied: the payload may view a read buffer that the next read overwrites (see push).
      // Fragmented messages are rare; their final concat copies them again anyway.
      this.fragments.push(Buffer.from(payload))
      this.fragmentBytes += payload.length
      return
    }
    if (opcode === Opcode.Continuation) {
      this.fragments.push(payload)
      payload = Buffer.concat(this.fragments, this.fragmentBytes + payload.length)
      opcode = this.fragmentOpcode
      this.fragments = []
      this.fragmentBytes = 0
      this.fragmentOpcode = -1
    }
    // A copy of its own: the payload views the socket's larger chunk (or the reused read buffer).
    if (opcode === Opcode.Binary) return this.sink.binary(payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.length) as ArrayBuffer)
    if (!isUtf8(payload)) throw new FrameError(CloseCode.InvalidPayload, 'a text message that is not UTF-8')
    this.sink.text(payload.toString('utf8'))
  }

  private closeFrame(payload: Buffer): void {
    if (payload.length === 0) return this.sink.close(CloseCode.NoStatus, '')
    if (payload.length === 1) throw new FrameError(CloseCode.ProtocolError, 'a close frame of one byte')
    const code = payload.readUInt16BE(0)
    if (!isSendableCloseCode(code)) throw new FrameError(CloseCode.ProtocolError, `invalid close code ${code}`)
    const reason = payload.subarray(2)
    if (!isUtf8(reason)) throw new FrameError(CloseCode.InvalidPayload, 'a close reason that is not UTF-8')
    this.sink.close(code, reason.toString('utf8'))
  }
}

