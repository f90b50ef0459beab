/**
 * Just enough RFC 6455 framing for the fault proxy: an incremental frame parser that keeps the
 * exact bytes of every frame (so untouched frames are forwarded byte for byte, invalid ones
 * included), and an encoder for frames the proxy injects or substitutes.
 *
 * The parser does not validate frames (reserved opcodes, unmasked client frames, bad UTF-8 all
 * parse): the proxy must stay transparent so conformance tests can run through it. It only refuses
 * what it cannot frame at all — a 64-bit length with the top bit set or one above `maxFrameBytes`.
 */

/** RFC 6455 §5.2 opcodes. */
export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const

export type OpcodeName = keyof typeof Opcode

/** One frame as read from the wire. */
export interface WsFrame {
  fin: boolean
  /** The three RSV bits as a number (RSV1 = 4: permessage-deflate's "compressed" flag). */
  rsv: number
  opcode: number
  masked: boolean
  /** The payload, unmasked. */
  payload: Buffer
  /** The exact bytes of the frame as received (header, mask key, masked payload). */
  raw: Buffer
}

/** A frame to write. `payload` strings are UTF-8 encoded. */
export interface FrameSpec {
  opcode: number | OpcodeName
  payload?: string | Uint8Array
  /** Defaults to true. */
  fin?: boolean
  /** RSV bits, defaults to 0. */
  rsv?: number
}

/** Thrown by {@link FrameParser.push} when the stream cannot be framed any more. */
export class FrameParseError extends Error {
  override readonly name = 'FrameParseError'
}

/** True for close, ping and pong (RFC 6455 §5.5: opcodes 0x8–0xF). */
export function isControlOpcode(opcode: number): boolean {
  return opcode >= 0x8
}

function opcodeNumber(op: number | OpcodeName): number {
  return typeof op === 'number' ? op : Opcode[op]
}

/**
 * Encodes one frame. `mask` is the 4-byte masking key for client→server frames (RFC 6455 §5.3
 * requires clients to mask), or null for server→client frames.
 *
 * @example
 * encodeFrame({ opcode: 'text', payload: 'hi' }, null) // <Buffer 81 02 68 69>
 */
export function encodeFrame(spec: FrameSpec, mask: Uint8Array | null): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload, 'utf8') : Buffer.from(spec.payload ?? [])
  const len = payload.length
  const extLen = len < 126 ? 0 : len < 0x10000 ? 2 : 8
  const header = Buffer.alloc(2 + extLen + (mask ? 4 : 0))
  header[0] = ((spec.fin ?? true) ? 0x80 : 0) | (((spec.rsv ?? 0) & 7) << 4) | (opcodeNumber(spec.opcode) & 0x0f)
  header[1] = (mask ? 0x80 : 0) | (extLen === 0 ? len : extLen === 2 ? 126 : 127)
  if (extLen === 2) header.writeUInt16BE(len, 2)
  if (extLen === 8) header.writeBigUInt64BE(BigInt(len), 2)
  if (!mask) return Buffer.concat([header, payload])
  if (mask.length !== 4) throw new RangeError(`encodeFrame: mask must be 4 bytes, got ${mask.length}`)
  header.set(mask, 2 + extLen)
  const body = Buffer.alloc(len)
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!
  return Buffer.concat([header, body])
}

/**
 * The payload of a close frame: 2-byte code then UTF-8 reason (RFC 6455 §5.5.1).
 * Reasons are cut to 123 bytes so the frame stays a valid control frame (payload ≤ 125).
 */
export function closePayload(code: number, reason = ''): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, 123)
  const out = Buffer.alloc(2 + text.length)
  out.writeUInt16BE(code, 0)
  text.copy(out, 2)
  return out
}

/** A FIFO of chunks that avoids re-concatenating the whole backlog on every `data` event. */
class ByteQueue {
  private chunks: Buffer[] = []
  length = 0

  push(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.chunks.push(chunk)
    this.length += chunk.length
  }

  /** Copies the first `n` bytes without consuming them (n ≤ length). */
  peek(n: number): Buffer {
    const first = this.chunks[0]
    if (first && first.length >= n) return first.subarray(0, n)
    const out = Buffer.alloc(n)
    let at = 0
    for (const c of this.chunks) {
      if (at >= n) break
      at += c.copy(out, at, 0, Math.min(c.length, n - at))
    }
    return out
  }

  take(n: number): Buffer {
    const out = this.peek(n)
    let left = n
    while (left > 0) {
      const c = this.chunks[0]!
      if (c.length <= left) {
        this.chunks.shift()
        left -= c.length
      } else {
        this.chunks[0] = c.subarray(left)
        left = 0
      }
    }
    this.length -= n
    return Buffer.from(out)
  }

  takeAll(): Buffer {
    return this.take(this.length)
  }
}

/**
 * Incremental parser: feed it chunks as they arrive, get back the frames completed so far.
 * A frame is returned only once all of it is buffered (bounded by `maxFrameBytes`).
 *
 * @example
 * const parser = new FrameParser()
 * const bytes = encodeFrame({ opcode: 'text', payload: 'hello' }, null)
 * parser.push(bytes.subarray(0, 3)) // []
 * parser.push(bytes.subarray(3))    // [{ opcode: 1, payload: <hello>, ... }]
 */
export class FrameParser {
  private readonly queue = new ByteQueue()

  constructor(private readonly maxFrameBytes = 64 * 1024 * 1024) {}

  /** Bytes received but not yet part of a complete frame. */
  get buffered(): number {
    return this.queue.length
  }

  /** Everything buffered, removed from the parser (used when falling back to raw forwarding). */
  drain(): Buffer {
    return this.queue.takeAll()
  }

  push(chunk: Buffer): WsFrame[] {
    this.queue.push(chunk)
    const frames: WsFrame[] = []
    for (;;) {
      const frame = this.next()
      if (!frame) return frames
      frames.push(frame)
    }
  }

  private next(): WsFrame | undefined {
    if (this.queue.length < 2) return undefined
    const head = this.queue.peek(2)
    const b0 = head[0]!
    const b1 = head[1]!
    const masked = (b1 & 0x80) !== 0
    const len7 = b1 & 0x7f
    const extLen = len7 === 126 ? 2 : len7 === 127 ? 8 : 0
    const headerLen = 2 + extLen + (masked ? 4 : 0)
    if (this.queue.length < headerLen) return undefined
    const header = this.queue.peek(headerLen)
    let payloadLen = len7
    if (extLen === 2) payloadLen = header.readUInt16BE(2)
    if (extLen === 8) {
      const big = header.readBigUInt64BE(2)
      if (big > BigInt(this.maxFrameBytes)) throw new FrameParseError(`frame length ${big} exceeds ${this.maxFrameBytes} bytes`)
      payloadLen = Number(big)
    }
    if (payloadLen > this.maxFrameBytes) throw new FrameParseError(`frame length ${payloadLen} exceeds ${this.maxFrameBytes} bytes`)
    if (this.queue.length < headerLen + payloadLen) return undefined
    const raw = this.queue.take(headerLen + payloadLen)
    const payload = Buffer.from(raw.subarray(headerLen))
    if (masked) {
      const key = raw.subarray(headerLen - 4, headerLen)
      for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ key[i & 3]!
    }
    return { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload, raw }
  }
}
