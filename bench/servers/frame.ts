/**
 * Frames a text message once for every receiver: FIN, text opcode, unmasked, no RSV1. Correct
 * because deflate is off and server-to-client frames are never masked (RFC 6455 §5.1), so the
 * bytes are the same for every subscriber.
 */
import * as wsModule from 'ws'

// ws exports Sender at runtime (wrapper.mjs) but @types/ws does not declare it.
interface FrameOptions { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, o: FrameOptions): Buffer[] } }

export function frameText(text: string): Buffer[] {
  const parts = Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false })
  // One buffer, one write(): ws's own sendFrame corks around a two-part frame anyway.
  return [Buffer.concat(parts)]
}
