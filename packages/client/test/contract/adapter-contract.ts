/**
 * The adapter contract (src/core/adapter.ts), as a suite every platform adapter runs against a
 * real `ws` server on 127.0.0.1, port 0. Browser and Node run it in test/adapters/; the
 * mini-program adapters run it on the emulator (@minisocket/mp).
 *
 * @example
 * import { runAdapterContract } from '@minisocket/client/contract'
 * runAdapterContract({
 *   name: 'wx',
 *   makeAdapter: () => wxAdapter(createMiniProgram({ platform: 'wx', env: 'develop' }).api),
 *   skip: { headers: 'the emulator cannot observe...' }, // every skip prints its reason
 * })
 */
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { WebSocketServer, type WebSocket } from 'ws'
import type { SocketAdapter, SocketHandle, SocketHandlers } from '../../src/core/adapter.js'

export type ContractCase = 'text' | 'binary' | 'large' | 'server-close' | 'client-close' | 'refused' | 'bad-url' | 'protocols' | 'headers'

export interface AdapterContractOptions {
  name: string
  /** A fresh adapter per test. */
  makeAdapter(): SocketAdapter | Promise<SocketAdapter>
  /** Runs after each test (e.g. dispose an emulator instance). */
  cleanup?(): void | Promise<void>
  /** Cases this adapter cannot pass, each with the reason, which the run prints. */
  skip?: Partial<Record<ContractCase, string>>
  /** Server base URL for a port (default `ws://127.0.0.1:${port}`). */
  baseUrl?(port: number): string
}

const WAIT_MS = 5_000

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < WAIT_MS / 5 && !ok(); i++) await new Promise((r) => setTimeout(r, 5))
  assert.ok(ok(), `timed out waiting for ${what}`)
}
const settle = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Opens a socket with recording handlers and checks that nothing fires inside open(). */
function record(adapter: SocketAdapter, url: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}) {
  const events: Array<{ type: string; args: unknown[] }> = []
  let inOpen = true
  const push = (type: string) => (...args: unknown[]) => {
    assert.equal(inOpen, false, `${type} fired synchronously inside open()`)
    events.push({ type, args })
  }
  const handlers: SocketHandlers = { onOpen: push('open'), onMessage: push('message'), onClose: push('close'), onError: push('error') }
  const socket: SocketHandle = adapter.open(url, options, handlers)
  inOpen = false
  const count = (type: string): number => events.filter((e) => e.type === type).length
  return { socket, events, count, first: (type: string) => events.find((e) => e.type === type) }
}

interface ServerSide {
  closes: Map<string, { code: number; reason: string }>
  requests: Map<string, IncomingMessage>
}

export function runAdapterContract(options: AdapterContractOptions): void {
  describe(`adapter contract: ${options.name}`, () => {
    let wss: WebSocketServer
    let base = ''
    let deadPort = 0
    const seen: ServerSide = { closes: new Map(), requests: new Map() }

    before(async () => {
      wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
      await new Promise<void>((resolve) => wss.once('listening', resolve))
      const { port } = wss.address() as AddressInfo
      base = options.baseUrl?.(port) ?? `ws://127.0.0.1:${port}`
      wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
        const url = new URL(req.url ?? '/', 'http://x')
        const id = url.searchParams.get('id') ?? ''
        seen.requests.set(id, req)
        ws.on('close', (code, reason) => seen.closes.set(id, { code, reason: reason.toString() }))
        if (url.pathname === '/echo') ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
        if (url.pathname === '/big') ws.send('x'.repeat(200_000))
        if (url.pathname === '/close') ws.close(Number(url.searchParams.get('code')), url.searchParams.get('reason') ?? '')
      })
      // A port with nothing listening: bind one, then close it.
      const probe = new WebSocketServer({ host: '127.0.0.1', port: 0 })
      await new Promise<void>((resolve) => probe.once('listening', resolve))
      deadPort = (probe.address() as AddressInfo).port
      await new Promise<void>((resolve) => probe.close(() => resolve()))
    })
    after(async () => {
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    })

    const it = (name: ContractCase, title: string, body: (adapter: SocketAdapter) => Promise<void>): void => {
      const reason = options.skip?.[name]
      test(`${name}: ${title}`, async (t) => {
        if (reason !== undefined) {
          console.log(`# skipped ${options.name} ${name}: ${reason}`)
          t.skip(reason)
          return
        }
        try {
          await body(await options.makeAdapter())
        } finally {
          await options.cleanup?.()
        }
      })
    }

    it('text', 'opens once; text goes both ways as string, unicode intact', async (adapter) => {
      const r = record(adapter, `${base}/echo?id=text`)
      await waitFor('open', () => r.count('open') === 1)
      r.socket.send('héllo ✓ 你好 🎉')
      await waitFor('echo', () => r.count('message') === 1)
      assert.deepEqual(r.first('message')?.args, ['héllo ✓ 你好 🎉'])
      r.socket.close(1000, 'done')
    })

    it('binary', 'binary goes both ways; it arrives as an ArrayBuffer with the same bytes', async (adapter) => {
      const r = record(adapter, `${base}/echo?id=binary`)
      await waitFor('open', () => r.count('open') === 1)
      r.socket.send(new Uint8Array([0, 1, 127, 128, 255]).buffer)
      await waitFor('echo', () => r.count('message') === 1)
      const data = r.first('message')?.args[0]
      assert.ok(data instanceof ArrayBuffer, `got ${Object.prototype.toString.call(data)}`)
      assert.deepEqual([...new Uint8Array(data)], [0, 1, 127, 128, 255])
      r.socket.close(1000, 'done')
    })

    it('large', 'a 200 KB text message arrives whole', async (adapter) => {
      const r = record(adapter, `${base}/big?id=large`)
      await waitFor('message', () => r.count('message') === 1)
      assert.equal((r.first('message')?.args[0] as string).length, 200_000)
      r.socket.close(1000, 'done')
    })

    it('server-close', "the server's code and reason are reported once, and nothing after", async (adapter) => {
      const r = record(adapter, `${base}/close?id=sc&code=4001&reason=bye`)
      await waitFor('close', () => r.count('close') === 1)
      assert.deepEqual(r.first('close')?.args, [4001, 'bye'])
      r.socket.send('after close') // must not throw
      r.socket.close(1000, 'again') // must not throw
      await settle()
      assert.equal(r.count('close'), 1)
      assert.equal(r.events.at(-1)?.type, 'close')
    })

    it('client-close', "close(code, reason) reaches the server; the adapter reports at most one close", async (adapter) => {
      const r = record(adapter, `${base}/echo?id=cc`)
      await waitFor('open', () => r.count('open') === 1)
      r.socket.close(4008, 'suspended')
      await waitFor('server sees the close', () => seen.closes.has('cc'))
      assert.deepEqual(seen.closes.get('cc'), { code: 4008, reason: 'suspended' })
      r.socket.close(4008, 'twice')
      r.socket.send('x')
      await settle()
      assert.ok(r.count('close') <= 1)
      assert.equal(r.count('message'), 0)
    })

    it('refused', 'a refused connection is reported (error and/or close), never opened', async (adapter) => {
      const r = record(adapter, `ws://127.0.0.1:${deadPort}/echo`)
      await waitFor('a failure report', () => r.count('error') + r.count('close') > 0)
      await settle()
      assert.equal(r.count('open'), 0)
      assert.ok(r.count('close') <= 1 && r.count('error') <= 1)
      r.socket.close(1000, 'cleanup') // must not throw
    })

    it('bad-url', 'an invalid URL is reported asynchronously, not thrown', async (adapter) => {
      const r = record(adapter, 'not a url')
      await waitFor('a failure report', () => r.count('error') + r.count('close') > 0)
      assert.equal(r.count('open'), 0)
      r.socket.send('x')
      r.socket.close(1000, 'cleanup')
    })

    it('protocols', 'the requested subprotocols are offered in the upgrade', async (adapter) => {
      const r = record(adapter, `${base}/echo?id=proto`, { protocols: ['minisocket.v1'] })
      await waitFor('open', () => r.count('open') === 1)
      assert.equal(seen.requests.get('proto')?.headers['sec-websocket-protocol'], 'minisocket.v1')
      r.socket.close(1000, 'done')
    })

    it('headers', 'extra headers are sent on the upgrade request', async (adapter) => {
      const r = record(adapter, `${base}/echo?id=hdr`, { headers: { 'X-Contract': 'yes' } })
      await waitFor('open', () => r.count('open') === 1)
      assert.equal(seen.requests.get('hdr')?.headers['x-contract'], 'yes')
      r.socket.close(1000, 'done')
    })
  })
}
