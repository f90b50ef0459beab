/** The connection: handshake, tokens, retry rules, heartbeat, lifecycle. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CloseCode, isRetryableClose as tableRetryable } from '@minisocket/protocol'
import { flush, harness } from '../helpers/fake-adapter.js'

test('the connect frame carries versions, token, info, and the previous session on reconnect', async () => {
  let calls = 0
  const h = harness({ token: async () => `t${++calls}`, info: { nick: 'ann' }, protocols: ['v1'], headers: { 'x-app': '1' } })
  await h.connect({ session: 'S-A' })
  const first = h.socket.last('connect')
  assert.deepEqual({ ...first, id: 0 }, { type: 'connect', id: 0, versions: [1, 2], token: 't1', info: { nick: 'ann' } })
  assert.deepEqual(h.socket.options, { protocols: ['v1'], headers: { 'x-app': '1' } })
  assert.deepEqual(h.client.connection?.session, 'S-A')
  h.socket.serverClose(4004, 'token expired')
  h.clock.advance(750)
  await flush()
  h.socket.open()
  assert.deepEqual({ ...h.socket.last('connect'), id: 0 }, { type: 'connect', id: 0, versions: [1, 2], token: 't2', session: 'S-A', info: { nick: 'ann' } })
  assert.equal(calls, 2, 'token provider called again after 4004')
})

test('a token provider refusal (ClientError, not retryable) stops with 4500', async () => {
  const { ClientError } = await import('../../src/core/errors.js')
  const h = harness({ token: () => { throw new ClientError(102, 'logged out', false) } })
  const errors: number[] = []
  h.client.on('error', (e) => errors.push(e.code))
  h.client.connect()
  await flush()
  assert.equal(h.client.state, 'closed')
  assert.equal(h.states.at(-1)?.code, 4500)
  assert.deepEqual(errors, [102])
  assert.equal(h.sockets.length, 0)
})

test('retryable codes back off and retry; terminal codes stop until reconnect()', async () => {
  for (const code of [1001, 1006, 1011, 4000, 4001, 4003, 4004, 4009, 4499]) {
    const h = harness()
    await h.connect()
    h.socket.serverClose(code)
    assert.equal(h.client.state, 'disconnected', `code ${code}`)
    assert.equal(tableRetryable(code), true)
    h.clock.advance(20_000)
    assert.equal(h.client.state, 'connecting', `code ${code} retried`)
  }
  for (const code of [1000, 1008, 4500, 4501, 4502, 4503, 4504, 4999]) {
    const h = harness()
    await h.connect()
    h.socket.serverClose(code)
    assert.equal(h.client.state, 'closed', `code ${code}`)
    h.clock.advance(60_000)
    assert.equal(h.sockets.length, 1, `code ${code} never retried`)
    h.client.reconnect()
    await flush()
    assert.equal(h.sockets.length, 2, 'reconnect() always works')
  }
})

test('the server retryAfter is honoured: no reconnect before it', async () => {
  const h = harness()
  await h.connect()
  h.socket.receive({ type: 'disconnect', code: 4000, reason: 'shutdown', reconnect: true, retryAfter: 4_000 })
  assert.equal(h.client.state, 'disconnected')
  assert.equal(h.socket.closedWith?.code, 4000)
  h.clock.advance(3_999)
  await flush()
  assert.equal(h.sockets.length, 1)
  h.clock.advance(1)
  await flush()
  assert.equal(h.sockets.length, 2)
})

test('backoff grows with consecutive failures and resets after a handshake', async () => {
  const h = harness({ backoff: { random: () => 1 } }) // always the ceiling
  await h.connect()
  const delays: number[] = []
  for (let i = 0; i < 7; i++) {
    h.socket.serverClose(1006)
    const start = h.clock.now()
    while (h.client.state === 'disconnected') h.clock.advance(10)
    delays.push(h.clock.now() - start)
    await flush()
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 20000, 20000])
  h.socket.accept()
  await flush()
  h.socket.serverClose(1006)
  const start = h.clock.now()
  while (h.client.state === 'disconnected') h.clock.advance(10)
  assert.equal(h.clock.now() - start, 1000)
})

test('heartbeat: server pings are answered; any frame keeps the link alive; silence kills it within ping + pongTimeout', async () => {
  const h = harness()
  await h.connect({ ping: 1_000, pongTimeout: 500 })
  h.socket.receive({ type: 'ping' })
  assert.deepEqual(h.socket.last('pong'), { type: 'pong' })
  for (let i = 0; i < 10; i++) {
    h.clock.advance(1_400)
    h.socket.receive({ type: 'ping' })
  }
  assert.equal(h.client.state, 'connected')
  h.clock.advance(1_499)
  assert.equal(h.client.state, 'connected')
  h.clock.advance(1)
  assert.equal(h.client.state, 'disconnected')
  assert.equal(h.states.at(-1)?.code, CloseCode.HeartbeatTimeout)
  assert.equal(h.socket.closedWith?.code, 4001, 'the dead socket is closed to free its slot')
})

test('a server with ping 0 gets no watchdog', async () => {
  const h = harness()
  await h.connect({ ping: 0, pongTimeout: 0 })
  h.clock.advance(600_000)
  assert.equal(h.client.state, 'connected')
})

test('close is reported exactly once: late events of an abandoned socket are ignored', async () => {
  const h = harness()
  await h.connect({ ping: 1_000, pongTimeout: 500 })
  const old = h.socket
  h.clock.advance(1_500) // watchdog: dead
  const count = h.states.length
  old.serverClose(1006) // the platform reports it late
  old.error()
  old.receive({ type: 'pub', channel: 'x', data: 1 })
  assert.equal(h.states.length, count)
  h.clock.advance(750)
  await flush()
  assert.equal(h.sockets.length, 2)
  old.accept() // a zombie handshake must not connect the client
  assert.equal(h.client.state, 'connecting')
})

test('onError then onClose from the platform give one transition', async () => {
  const h = harness()
  await h.connect()
  h.socket.error()
  h.socket.serverClose(1006)
  assert.deepEqual(h.states.slice(-1).map((s) => [s.to, s.code]), [['disconnected', 1006]])
  assert.equal(h.states.filter((s) => s.to === 'disconnected').length, 1)
})

test('suspend closes with 4008 and keeps the session; resume reconnects at once with it', async () => {
  const h = harness()
  await h.connect({ session: 'S1' })
  h.client.suspend()
  assert.equal(h.socket.closedWith?.code, 4008)
  h.clock.advance(600_000)
  assert.equal(h.sockets.length, 1, 'nothing retries while suspended')
  h.client.resume()
  await flush()
  assert.equal(h.sockets.length, 2, 'no backoff on resume')
  h.socket.open()
  assert.equal(h.socket.last('connect').session, 'S1')
})

test('resume from disconnected skips the pending backoff', async () => {
  const h = harness({ backoff: { random: () => 1, min: 5_000 } })
  await h.connect()
  h.socket.serverClose(1006)
  h.client.resume()
  await flush()
  assert.equal(h.sockets.length, 2)
})

test('close() forgets the session: the next connect starts a new one', async () => {
  const h = harness()
  await h.connect({ session: 'S1' })
  h.client.close()
  assert.equal(h.socket.closedWith?.code, 1000)
  await h.connect()
  assert.equal(h.socket.all('connect')[0].session, undefined)
})

test('lifecycle hooks: hide suspends, show resumes; offline stops retries, online reconnects at once', async () => {
  const hooks: Record<string, (arg?: unknown) => void> = {}
  const lifecycle = {
    onHide: (fn: () => void) => ((hooks.hide = fn), () => {}),
    onShow: (fn: () => void) => ((hooks.show = fn), () => {}),
    onNetwork: (fn: (online: boolean) => void) => ((hooks.net = fn as (a?: unknown) => void), () => {}),
  }
  const h = harness({ lifecycle })
  await h.connect()
  hooks.hide!()
  assert.equal(h.client.state, 'suspended')
  hooks.show!()
  await flush()
  h.socket.accept()
  await flush()
  assert.equal(h.client.state, 'connected')

  hooks.net!(false)
  h.socket.serverClose(1006)
  h.clock.advance(600_000)
  assert.equal(h.sockets.length, 2, 'no retries while offline')
  hooks.net!(true)
  await flush()
  assert.equal(h.sockets.length, 3, 'online: connects at once')
  assert.equal(h.client.state, 'connecting')

  const h2 = harness({ lifecycle })
  await h2.connect()
  h2.socket.serverClose(1006)
  hooks.net!(false) // offline while waiting: the pending retry is cancelled
  h2.clock.advance(600_000)
  assert.equal(h2.sockets.length, 1)
})

test('a frame that is not JSON, or not a frame, is reported and ignored', async () => {
  const h = harness()
  const errors: number[] = []
  h.client.on('error', (e) => errors.push(e.code))
  await h.connect()
  h.socket.receive('not json')
  h.socket.receive('[1,2]')
  h.socket.receive({ type: 'subscribed', id: 99, channel: 'x', publications: 'nope' })
  h.socket.handlers.onMessage(new ArrayBuffer(4))
  assert.deepEqual(errors, [100, 100, 100])
  assert.equal(h.client.state, 'connected')
})

test('an error frame without a request id is reported as an error event', async () => {
  const h = harness()
  const errors: Array<[number, string]> = []
  h.client.on('error', (e) => errors.push([e.code, e.message]))
  await h.connect()
  h.socket.receive({ type: 'error', code: 108, message: 'oops' })
  assert.deepEqual(errors, [[108, 'oops']])
})
