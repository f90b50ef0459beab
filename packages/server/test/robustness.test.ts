/**
 * Failure paths: attached to an existing http.Server, slowloris on headers, a hanging auth hook,
 * broker failures (error 109, resync → 4009), and logs free of tokens and message bodies.
 */
import assert from 'node:assert/strict'
import { createServer as createHttpServer } from 'node:http'
import { connect } from 'node:net'
import { once } from 'node:events'
import { test } from 'node:test'
import { WebSocketServer } from 'ws'
import type { Json, PresenceMember, PublisherInfo } from '@minisocket/protocol'
import { createServer, MemoryBroker, type BrokerHandler, type Logger, type PublishOptions } from '../src/index.js'
import { startServer, TestClient, until, within, wsUrl } from './helpers.js'

test('attached to an existing http.Server: shares the port with the app and with another WebSocket path', async () => {
  const http = createHttpServer((req, res) => {
    if (!server.handleRequest(req, res)) res.end('app page')
  })
  const other = new WebSocketServer({ noServer: true })
  http.on('upgrade', (req, socket, head) => {
    if (req.url === '/other') other.handleUpgrade(req, socket, head, (ws) => ws.send('other'))
  })
  const server = createServer({ server: http, path: '/rt' })
  await server.listen()
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  try {
    assert.ok(server.port > 0)
    const { connected } = await TestClient.connect(`ws://127.0.0.1:${server.port}/rt`)
    assert.equal(connected.version, 1)
    const ws = new (await import('ws')).default(`ws://127.0.0.1:${server.port}/other`)
    const [msg] = await within(once(ws, 'message'), 3000, 'other path served by the app')
    assert.equal(String(msg), 'other')
    ws.close()
    assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/`)).text(), 'app page')
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/health`)).status, 200)
  } finally {
    await server.close({ drainMs: 500 })
    other.close()
    http.closeAllConnections()
    await new Promise((r) => http.close(r))
  }
})

test('slowloris: a client trickling headers is cut off after headersTimeoutMs', async () => {
  const server = await startServer({ limits: { headersTimeoutMs: 300 } })
  try {
    const socket = connect(server.port, '127.0.0.1')
    socket.on('error', () => {})
    await once(socket, 'connect')
    socket.write('GET /ws HTTP/1.1\r\nHost: x\r\n')
    const timer = setInterval(() => socket.write('X-Slow: 1\r\n'), 50)
    try {
      // 'close' whether the server ends or resets it (events.once would reject on the ECONNRESET error).
      await within(new Promise((resolve) => socket.once('close', resolve)), 5000, 'trickling socket closed by the server')
    } finally {
      clearInterval(timer)
    }
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('an auth hook that never settles: the upgrade is refused with 503 after handshakeTimeoutMs', async () => {
  const server = await startServer({ limits: { handshakeTimeoutMs: 200 }, authenticate: () => new Promise(() => {}) })
  try {
    await assert.rejects(TestClient.open(wsUrl(server, 'token=t')), (e: { status?: number }) => e.status === 503)
    await until(() => server.stats().connections === 0)
  } finally {
    await server.close({ drainMs: 500 })
  }
})

class FlakyBroker extends MemoryBroker {
  failPublish = false
  captured: BrokerHandler | undefined
  override async start(handler: BrokerHandler): Promise<void> {
    this.captured = handler
    return super.start(handler)
  }
  override async publish(channel: string, data: Json, info: PublisherInfo | undefined, options: PublishOptions) {
    if (this.failPublish) throw new Error('connection lost')
    return super.publish(channel, data, info, options)
  }
  override async publishJoin(channel: string, member: PresenceMember): Promise<void> {
    if (this.failPublish) throw new Error('connection lost')
    return super.publishJoin(channel, member)
  }
}

test('broker failures: publish → error 109 (and RequestError 109 from server.publish); resync → 4009 for subscribers', async () => {
  const broker = new FlakyBroker()
  const server = await startServer({ broker, namespaces: [{ match: /^/, presence: true, publish: 'all' }] })
  try {
    const { client } = await TestClient.connect(wsUrl(server))
    const { client: idle } = await TestClient.connect(wsUrl(server))
    await client.request({ type: 'subscribe', channel: 'c' }, 'subscribed')
    broker.failPublish = true
    assert.equal(await client.request({ type: 'publish', channel: 'c', data: 1 }, 'ack').catch((e: { code?: number }) => e.code), 109)
    await assert.rejects(server.publish('c', 1), (e: { code?: number }) => e.code === 109)
    // Presence failing does not fail the subscribe.
    assert.equal((await client.request({ type: 'subscribe', channel: 'd' }, 'subscribed')).channel, 'd')
    broker.failPublish = false
    assert.equal((await client.request({ type: 'publish', channel: 'c', data: 1 }, 'ack')).offset, 1)
    broker.captured?.onResync?.()
    const bye = await client.next('disconnect')
    assert.deepEqual([bye.code, bye.reconnect], [4009, true])
    await idle.request({ type: 'presence', channel: 'c' }, 'presence')
    assert.equal(idle.closedWith, undefined, 'connections without subscriptions are left alone')
  } finally {
    await server.close({ drainMs: 500 })
  }
})

test('logs carry events but never tokens or message bodies', async () => {
  const lines: string[] = []
  const log = (msg: string, fields?: Record<string, unknown>): void => void lines.push(`${msg} ${JSON.stringify(fields ?? {})}`)
  const logger: Logger = { debug: log, info: log, warn: log, error: log }
  const token = 'tkn-SECRET-91f2'
  const body = 'BODY-MARKER-5d1e'
  const server = await startServer({ logger, authenticate: ({ token: t }) => (t === token ? { user: 'u' } : null), rpc: { fail: () => { throw new Error('x') } } })
  try {
    const { client } = await TestClient.connect(wsUrl(server), { token })
    await client.request({ type: 'subscribe', channel: 'c' }, 'subscribed')
    await client.request({ type: 'publish', channel: 'c', data: body }, 'ack')
    await client.request({ type: 'rpc', method: 'fail', data: body }, 'reply').catch(() => undefined)
    client.send(`{"type":"publish","id":9,"channel":"c","data":"${body}"`)
    await client.waitClosed()
    await assert.rejects(TestClient.open(wsUrl(server, `token=${token}x`)))
    await until(() => lines.some((l) => l.startsWith('disconnected')))
    const all = lines.join('\n')
    assert.match(all, /connected/)
    assert.match(all, /bad frame/)
    assert.equal(all.includes('SECRET'), false)
    assert.equal(all.includes(body), false)
  } finally {
    await server.close({ drainMs: 500 })
  }
})
