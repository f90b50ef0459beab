/** The engine's own text framing (one Buffer per message) against ws's Sender.frame, at every length boundary. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as wsModule from 'ws'
import { textFrame } from '../src/transport/ws-engine.js'

interface FrameOptions { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }
const Sender = (wsModule as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }).Sender

test('textFrame matches ws Sender.frame for 7-bit, 16-bit and 64-bit lengths and multi-byte UTF-8', () => {
  const texts = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000].map((n) => 'x'.repeat(n))
  texts.push('é'.repeat(63), 'é'.repeat(64), '日本'.repeat(11_000), '😀'.repeat(16_384))
  for (const text of texts) {
    const expected = Buffer.concat(Sender.frame(Buffer.from(text, 'utf8'), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }))
    assert.ok(textFrame(text).equals(expected), `length ${Buffer.byteLength(text)}`)
  }
})
