/**
 * S-CONF: a raw-frame conformance subset (Autobahn §1–7 in spirit) against a live node over a
 * bare TCP socket. Each case names the close code the server must SEND. Plus the handshake
 * cases: permessage-deflate is never negotiated, so a compressed (RSV1) frame is a protocol
 * error rather than a decompression bomb (S6). The node must survive all of it (S16).
 */
import assert from 'node:assert/strict'
import { deflateRawSync } from 'node:zlib'
import { test } from 'node:test'
import { report } from '../lib/figures.js'
import { withHostileNode } from '../lib/hostile.js'
import { RawSocket } from '../lib/raw-socket.js'

const CONNECT = JSON.stringify({ type: 'connect', id: 1, versions: [1] })
const badUtf8 = Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]) // {"\xc3("}

interface Case {
  name: string
  /** Frames written after the upgrade, via the socket. */
  act(s: RawSocket): void
  /** Expected close code sent by the server; 'connected' = must answer the connect instead. */
  expect: number | 'connected'
}

const cases: Case[] = [
  { name: 'valid connect frame (control case)', act: (s) => s.write({ opcode: 'text', payload: CONNECT }), expect: 'connected' },
  {
    name: 'connect split in 3 fragments with a ping between them (§5.6)',
    act: (s) => {
      s.write({ opcode: 'text', payload: CONNECT.slice(0, 10), fin: false })
      s.write({ opcode: 'ping', payload: 'hi' })
      s.write({ opcode: 'continuation', payload: CONNECT.slice(10, 20), fin: false })
      s.write({ opcode: 'continuation', payload: CONNECT.slice(20) })
    },
    expect: 'connected',
  },
  { name: 'invalid UTF-8 in a text frame (§6)', act: (s) => s.write({ opcode: 'text', payload: badUtf8 }), expect: 1007 },
  {
    name: 'invalid UTF-8 split across fragments (§6.4)',
    act: (s) => {
      s.write({ opcode: 'text', payload: Buffer.from([0x22, 0xf0, 0x9f]), fin: false })
      s.write({ opcode: 'continuation', payload: Buffer.from([0x28, 0x22]) })
    },
    expect: 1007,
  },
  { name: 'unmasked client frame (§5.1)', act: (s) => s.write({ opcode: 'text', payload: CONNECT }, false), expect: 1002 },
  { name: 'reserved data opcode 0x3 (§4.1)', act: (s) => s.write({ opcode: 3, payload: 'x' }), expect: 1002 },
  { name: 'reserved control opcode 0xB (§4.2)', act: (s) => s.write({ opcode: 0xb, payload: 'x' }), expect: 1002 },
  { name: 'RSV2 set without an extension (§3)', act: (s) => s.write({ opcode: 'text', payload: CONNECT, rsv: 2 }), expect: 1002 },
  {
    name: 'compression bomb: 10 MiB of zeros deflated, RSV1, deflate not negotiated (S6)',
    act: (s) => s.write({ opcode: 'text', payload: deflateRawSync(Buffer.alloc(10 * 1024 * 1024)), rsv: 4 }),
    expect: 1002,
  },
  { name: 'ping with a 126-byte payload (§2.5)', act: (s) => s.write({ opcode: 'ping', payload: Buffer.alloc(126) }), expect: 1002 },
  { name: 'fragmented ping (§5.2)', act: (s) => s.write({ opcode: 'ping', payload: 'a', fin: false }), expect: 1002 },
  { name: 'continuation with nothing to continue (§5.9)', act: (s) => s.write({ opcode: 'continuation', payload: 'x' }), expect: 1002 },
  {
    name: 'a new text message inside a fragmented one (§5.18)',
    act: (s) => {
      s.write({ opcode: 'text', payload: '{"a":', fin: false })
      s.write({ opcode: 'text', payload: '1}' })
    },
    expect: 1002,
  },
  { name: 'one frame of 64 KiB + 1 (maxMessageSize, §9)', act: (s) => s.write({ opcode: 'text', payload: Buffer.alloc(64 * 1024 + 1, 0x20) }), expect: 1009 },
  {
    name: 'fragments adding up to 64 KiB + 1',
    act: (s) => {
      s.write({ opcode: 'text', payload: Buffer.alloc(40 * 1024, 0x20), fin: false })
      s.write({ opcode: 'continuation', payload: Buffer.alloc(24 * 1024 + 1, 0x20) })
    },
    expect: 1009,
  },
  {
    name: '64-bit length with the top bit set',
    act: (s) => s.writeRaw(Buffer.from([0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4])),
    expect: 1009,
  },
  { name: 'close with code 999 (§7.9)', act: (s) => s.write({ opcode: 'close', payload: Buffer.from([0x03, 0xe7]) }), expect: 1002 },
  { name: 'close with a 1-byte payload (§7.3)', act: (s) => s.write({ opcode: 'close', payload: Buffer.from([0x03]) }), expect: 1002 },
  { name: 'close reason that is not UTF-8 (§7.5)', act: (s) => s.write({ opcode: 'close', payload: Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from([0xc3, 0x28])]) }), expect: 1007 },
  { name: 'close 1000 from the client is echoed (§7.1)', act: (s) => s.write({ opcode: 'close', payload: Buffer.from([0x03, 0xe8]) }), expect: 1000 },
  { name: 'binary message (protocol: text only)', act: (s) => s.write({ opcode: 'binary', payload: Buffer.from([1, 2, 3]) }), expect: 4503 },
  { name: 'text that is not JSON', act: (s) => s.write({ opcode: 'text', payload: 'hello' }), expect: 4503 },
]

test('S-CONF: raw frames get the RFC 6455 / protocol close code; the node survives (S16)', async () => {
  const results: string[] = []
  const after = await withHostileNode({}, async ({ node }) => {
    for (const c of cases) {
      const { sock, status } = await RawSocket.open(node.port)
      try {
        assert.equal(status, 101, `${c.name}: upgrade`)
        c.act(sock)
        if (c.expect === 'connected') {
          const deadline = Date.now() + 3000
          while (Date.now() < deadline && !sock.texts().some((t) => (t as { type?: string }).type === 'connected')) await new Promise((r) => setTimeout(r, 10))
          assert.ok(sock.texts().some((t) => (t as { type?: string }).type === 'connected'), `${c.name}: no connected reply (${JSON.stringify(sock.texts())})`)
          if (c.name.includes('ping')) assert.ok(sock.frames.some((f) => f.opcode === 0xa && f.payload.toString() === 'hi'), `${c.name}: ping not answered`)
          results.push(`${c.name}: connected`)
        } else {
          const outcome = await sock.outcome(5000)
          assert.equal(outcome.code, c.expect, `${c.name}: close code (reason: ${outcome.reason})`)
          results.push(`${c.name}: ${outcome.code}`)
        }
      } finally {
        sock.destroy()
      }
    }
  })
  report({ scenario: 'S-CONF raw-frame conformance', covers: ['S-CONF', 'S6', 'S16'], inputs: cases.length, crashes: after.uncaught + after.unhandled, extra: { cases: results.length } })
})

test('S6/S8: handshake hygiene — no permessage-deflate, bad versions and keys refused, node survives', async () => {
  await withHostileNode({}, async ({ node }) => {
    const deflate = await RawSocket.open(node.port, 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n')
    assert.equal(deflate.status, 101)
    assert.doesNotMatch(deflate.sock.head, /sec-websocket-extensions/i, 'permessage-deflate must not be negotiated')
    deflate.sock.destroy()
    // A version other than 13 or a missing key: refused before the upgrade (4xx), never a crash.
    for (const bad of ['Sec-WebSocket-Version: 7\r\n', 'Sec-WebSocket-Key: short\r\n', 'Sec-WebSocket-Protocol: ,,,\r\n']) {
      const { sock, status } = await RawSocket.open(node.port, bad)
      sock.destroy()
      if (!bad.includes('Protocol')) assert.ok(status >= 400 && status < 500, `${bad.trim()} → ${status}`)
      else assert.ok(status === 101 || (status >= 400 && status < 500), `${bad.trim()} → ${status}`)
    }
  })
})
