/**
 * One test per row of the Node socket's table in docs/state-machines.md (N1–N8), against a
 * hand-written server on 127.0.0.1:0 that answers the upgrade as each row needs. What is checked
 * is what the adapter reports (the state itself is private) and what reaches the server.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { test } from 'node:test'
import { isUtf8 } from 'node:buffer'
import type { OpenOptions, SocketHandle } from '../../src/core/adapter.js'
import { closePayload } from '../../src/adapters/node-frames.js'
import { nodeSocketAdapter, nodeSocketTransitions, type NodeSocketOptions } from '../../src/adapters/node-socket.js'
import { docRows } from '../helpers/doc-table.js'

type Upgrade = (socket: Socket, key: string) => void

const accept = (key: string): string => createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
const ok101 = (key: string): string => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`
/** An unmasked server frame with a payload under 126 bytes. */
const serverFrame = (opcode: number, payload: Buffer, masked = false): Buffer =>
  Buffer.concat([Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | payload.length]), masked ? Buffer.alloc(4) : Buffer.alloc(0), payload])
const closeFrame = (code: number, reason: string): Buffer => {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason))
  payload.writeUInt16BE(code, 0)
  payload.write(reason, 2)
  return serverFrame(0x8, payload)
}

/** The client's (masked) frames in `bytes`: opcode and unmasked payload. */
function clientFrames(bytes: Buffer): Array<{ opcode: number; payload: Buffer }> {
  const frames: Array<{ opcode: number; payload: Buffer }> = []
  for (let at = 0; at + 6 <= bytes.length; ) {
    assert.ok(bytes[at + 1]! & 0x80, 'client frames are masked')
    const length = bytes[at + 1]! & 0x7f
    assert.ok(length < 126, 'test frames are small')
    const mask = bytes.subarray(at + 2, at + 6)
    const payload = Buffer.from(bytes.subarray(at + 6, at + 6 + length).map((b, i) => b ^ mask[i % 4]!))
    frames.push({ opcode: bytes[at]! & 0x0f, payload })
    at += 6 + length
  }
  return frames
}

interface Run {
  events: Array<{ type: string; args: unknown[] }>
  handle: SocketHandle
  received: () => Array<{ opcode: number; payload: Buffer }>
  waitFor(what: string, ok: () => boolean): Promise<void>
  types(): string[]
}

/** Starts a server whose upgrade handler is `upgrade`, opens the adapter on it, runs `body`. */
async function scenario(upgrade: Upgrade, body: (run: Run) => Promise<void>, options: NodeSocketOptions = {}, open: OpenOptions = {}): Promise<void> {
  let fromClient = Buffer.alloc(0)
  const server: Server = createServer((socket) => {
    let head = Buffer.alloc(0)
    let upgraded = false
    socket.on('error', () => undefined)
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) {
        fromClient = Buffer.concat([fromClient, chunk])
        return
      }
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      upgraded = true
      const key = /sec-websocket-key: (\S+)/i.exec(head.toString('latin1', 0, end))?.[1] ?? ''
      fromClient = head.subarray(end + 4)
      upgrade(socket, key)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const events: Run['events'] = []
  const push = (type: string) => (...args: unknown[]) => void events.push({ type, args })
  const handle = nodeSocketAdapter(options).open(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, open, {
    onOpen: push('open'),
    onMessage: push('message'),
    onClose: push('close'),
    onError: push('error'),
  })
  const run: Run = {
    events,
    handle,
    received: () => clientFrames(fromClient),
    types: () => events.map((e) => e.type),
    async waitFor(what, ok) {
      for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 5))
      assert.ok(ok(), `timed out waiting for ${what}; events: ${JSON.stringify(events.map((e) => [e.type, ...e.args.map(String)]))}`)
    },
  }
  try {
    await body(run)
  } finally {
    handle.close(1000, 'cleanup')
    server.close()
  }
}

const closed = (run: Run) => (): boolean => run.types().includes('close')

test('N1 connecting → open: a valid 101 response', async () => {
  await scenario((s, key) => s.write(ok101(key)), async (run) => {
    await run.waitFor('open', () => run.types().includes('open'))
    assert.deepEqual(run.types(), ['open'])
  })
})

test('N2 connecting → closing: a failed upgrade is an error, then one close 1006 with the reason', async () => {
  await scenario((s) => s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'), async (run) => {
    await run.waitFor('close', closed(run))
    assert.deepEqual(run.types(), ['error', 'close'])
    assert.deepEqual(run.events[1]!.args, [1006, 'unexpected server response: 404'])
  })
  await scenario((s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: forged\r\n\r\n'), async (run) => {
    await run.waitFor('close', closed(run))
    assert.deepEqual(run.types(), ['error', 'close'])
    assert.deepEqual(run.events[1]!.args, [1006, 'invalid Sec-WebSocket-Accept'])
  })
})

test("N2 connecting → closing: the app's close() before the upgrade: never opens, one close, no error", async () => {
  await scenario(() => undefined, async (run) => {
    run.handle.close(1000, 'never mind')
    await run.waitFor('close', closed(run))
    assert.deepEqual(run.types(), ['close'])
    assert.equal(run.events[0]!.args[0], 1006)
  })
})

test('N3 connecting → closed: the server ends TCP before answering the upgrade', async () => {
  await scenario((s) => s.end(), async (run) => {
    await run.waitFor('close', closed(run))
    assert.deepEqual(run.types(), ['close'])
    assert.deepEqual(run.events[0]!.args, [1006, 'connection closed before the upgrade'])
  })
})

test("N4 open → closing: the app's close() sends a close frame, then sends nothing; the server's answer is reported", async () => {
  let socket: Socket | undefined
  await scenario((s, key) => { socket = s; s.write(ok101(key)) }, async (run) => {
    await run.waitFor('open', () => run.types().includes('open'))
    run.handle.close(4008, 'suspended')
    run.handle.send('after close')
    await run.waitFor('the close frame', () => run.received().length > 0)
    const [frame, ...rest] = run.received()
    assert.equal(frame!.opcode, 0x8)
    assert.equal(frame!.payload.readUInt16BE(0), 4008)
    assert.equal(frame!.payload.subarray(2).toString(), 'suspended')
    assert.deepEqual(rest, [])
    assert.deepEqual(run.types(), ['open'])
    socket!.end(closeFrame(4008, 'suspended'))
    await run.waitFor('close', closed(run))
    assert.deepEqual(run.events.at(-1)!.args, [4008, 'suspended'])
  })
})

test("N5 open → closing: the server's close frame is answered with its code and reported once TCP ends", async () => {
  await scenario((s, key) => s.write(Buffer.concat([Buffer.from(ok101(key)), closeFrame(4001, 'gone')])), async (run) => {
    await run.waitFor('close', closed(run))
    assert.equal(run.received()[0]!.opcode, 0x8)
    assert.equal(run.received()[0]!.payload.readUInt16BE(0), 4001)
    assert.deepEqual(run.types(), ['open', 'close'])
    assert.deepEqual(run.events[1]!.args, [4001, 'gone'])
  })
})

test('N6 open → closing: a masked server frame fails the connection with 1002', async () => {
  await scenario((s, key) => s.write(Buffer.concat([Buffer.from(ok101(key)), serverFrame(0x1, Buffer.from('hi'), true)])), async (run) => {
    await run.waitFor('close', closed(run))
    assert.deepEqual(run.types(), ['open', 'error', 'close'])
    assert.equal(run.received()[0]!.payload.readUInt16BE(0), 1002)
    assert.deepEqual(run.events[2]!.args, [1006, 'a server frame must not be masked'])
  })
})

test('N7 open → closed: TCP ends without a close frame: 1006', async () => {
  await scenario((s, key) => s.end(ok101(key)), async (run) => {
    await run.waitFor('close', closed(run))
    assert.deepEqual(run.types(), ['open', 'close'])
    assert.deepEqual(run.events[1]!.args, [1006, ''])
  })
})

test('N8 closing → closed: a server that never answers our close frame is cut after closeTimeoutMs', async () => {
  await scenario((s, key) => s.write(ok101(key)), async (run) => {
    await run.waitFor('open', () => run.types().includes('open'))
    run.handle.close(1000, 'bye')
    await run.waitFor('close', closed(run))
    assert.deepEqual(run.types(), ['open', 'close'])
    assert.deepEqual(run.events[1]!.args, [1006, 'no close frame from the server within closeTimeoutMs'])
  }, { closeTimeoutMs: 100 })
})

// Found in review of the first version (each reproduced before the fix).

test("N8: a reset after the server's close frame keeps the server's code (RFC 6455 §7.1.5)", async () => {
  await scenario((s, key) => {
    s.write(Buffer.concat([Buffer.from(ok101(key)), closeFrame(4501, 'banned')]))
    s.once('data', () => s.resetAndDestroy()) // the client's answer: reset instead of a clean close
  }, async (run) => {
    await run.waitFor('close', closed(run))
    assert.deepEqual(run.events.at(-1)!.args, [4501, 'banned'])
  })
})

test('N6: after a bad frame nothing more is read, so the reason reported is the first failure', async () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 0x61)
  const header = Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 0, 0, 0])
  header.writeUInt32BE(big.length, 6)
  await scenario((s, key) => s.write(Buffer.concat([Buffer.from(ok101(key)), header, big])), async (run) => {
    await run.waitFor('close', closed(run))
    assert.deepEqual(run.types(), ['open', 'error', 'close'])
    assert.deepEqual(run.events[2]!.args, [1006, `a message over ${1024 * 1024} bytes`])
  }, { maxPayload: 1024 * 1024 })
})

test('N2: a subprotocol that is not a token (CR/LF) is refused before anything is sent', async () => {
  let upgrades = 0
  await scenario(() => upgrades++, async (run) => {
    await run.waitFor('close', closed(run))
    assert.deepEqual(run.types(), ['error', 'close'])
    assert.match(String(run.events[1]!.args[1]), /invalid or repeated subprotocol/)
    assert.equal(upgrades, 0)
  }, {}, { protocols: ['chat\r\nX-Injected: 1'] })
})

test('a long close reason is cut to 123 bytes on a character boundary', () => {
  for (const reason of ['é'.repeat(100_000), 'x'.repeat(122) + '€', '🎉'.repeat(40), 'short']) {
    const payload = closePayload(4000, reason)
    assert.equal(payload.readUInt16BE(0), 4000)
    const text = payload.subarray(2)
    assert.ok(text.length <= 123 && isUtf8(text), `${text.length} bytes`)
    assert.ok(reason.startsWith(text.toString()), 'a prefix of the reason')
    assert.ok(Buffer.byteLength(reason) <= 123 || text.length > 119, 'cut no more than one character short')
  }
})

test('the rows match docs/state-machines.md and cover every move in nodeSocketTransitions', () => {
  const doc = docRows('N')
  assert.deepEqual([...doc.keys()], ['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8'])
  const allowed = Object.entries(nodeSocketTransitions).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`)).sort()
  const covered = [...new Set([...doc.values()].map((r) => `${r.from}→${r.to}`))].sort()
  assert.deepEqual(covered, allowed)
})
