// The proxy's documented limits: past them it degrades to raw forwarding instead of failing.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { test } from 'node:test'
import { createFaultProxy, frameMatchers, type FaultProxyOptions } from '../src/fault-proxy.js'
import { openClient, opened, startServer, until, within } from './ws-helpers.js'

async function withProxy(options: Partial<FaultProxyOptions>, fn: (server: Awaited<ReturnType<typeof startServer>>, proxy: Awaited<ReturnType<typeof createFaultProxy>>) => Promise<void>): Promise<void> {
  const server = await startServer()
  const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: server.port }, ...options })
  try {
    await fn(server, proxy)
  } finally {
    await proxy.close()
    await server.close()
  }
}

test('a frame above maxFrameBytes switches that direction to raw; the message still arrives intact', () =>
  withProxy({ maxFrameBytes: 1000 }, async (server, proxy) => {
    const c = openClient(proxy.url)
    await opened(c)
    c.ws.send('m'.repeat(5000))
    c.ws.send('after')
    await until(() => server.received[0]?.length === 2, 5000, 'both messages')
    assert.equal(server.received[0]![0]!.length, 5000)
    assert.equal(server.received[0]![1], 'after')
    assert.ok(proxy.events().some((e) => e.kind === 'raw' && e.direction === 'toServer'))
  }))

test('a fragmented message above maxMessageBytes bypasses rules but is delivered whole', () =>
  withProxy({ maxMessageBytes: 100 }, async (server, proxy) => {
    const rule = proxy.suppress('toServer', frameMatchers.any)
    const c = openClient(proxy.url)
    await opened(c)
    for (let i = 0; i < 3; i++) c.ws.send('f'.repeat(80), { fin: i === 2 })
    await until(() => server.received[0]?.length === 1, 5000, 'big fragmented message')
    assert.equal(server.received[0]![0]!.length, 240)
    assert.equal(rule.hits, 0)
    c.ws.send('small')
    await new Promise((r) => setTimeout(r, 50))
    assert.equal(rule.hits, 1, 'rules apply again to the next message')
  }))

test('an HTTP head above 64 KiB goes through raw: the server answers it (431) through the proxy', () =>
  withProxy({}, async (_server, proxy) => {
    const socket = connect({ host: '127.0.0.1', port: proxy.port })
    try {
      await within(once(socket, 'connect'))
      let reply = ''
      socket.on('data', (d: Buffer) => (reply += d.toString('latin1')))
      socket.on('error', () => {})
      socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}`)
      await until(() => reply.includes('\r\n\r\n'), 5000, 'server reply')
      assert.match(reply, /^HTTP\/1\.1 431/)
      assert.ok(proxy.events().some((e) => e.kind === 'raw' && e.reason === 'HTTP head too large'))
    } finally {
      socket.destroy()
    }
  }))
