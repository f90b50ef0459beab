/** rpc / history / presence requests: replies, typed errors, timeouts, and what a drop does to them. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { flush, harness } from '../helpers/fake-adapter.js'

test('rpc resolves with the reply data; an error reply rejects with a typed ClientError', async () => {
  const h = harness()
  await h.connect()
  const ok = h.client.rpc('add', { a: 1, b: 2 })
  assert.deepEqual({ ...h.socket.last('rpc'), id: 0 }, { type: 'rpc', id: 0, method: 'add', data: { a: 1, b: 2 } })
  h.socket.reply('rpc', { type: 'reply', data: 3 })
  assert.equal(await ok, 3)
  const missing = h.client.rpc('nope')
  h.socket.reply('rpc', { type: 'error', code: 103, message: 'no such method' })
  await assert.rejects(missing, { name: 'ClientError', code: 103, message: 'no such method', retryable: false })
})

test('rpc timeout rejects with 107; a late reply is ignored', async () => {
  const h = harness()
  await h.connect()
  const slow = h.client.rpc('slow', null, { timeout: 2_000 })
  const id = h.socket.last('rpc').id
  h.clock.advance(2_000)
  await assert.rejects(slow, { code: 107, retryable: true })
  h.socket.receive({ type: 'reply', id, data: 'late' })
  assert.equal(h.client.state, 'connected')
})

test('each request times out at its own deadline, on one shared timer that replies do not touch', async () => {
  const h = harness()
  await h.connect()
  const before = h.clock.pending
  const long = h.client.rpc('long', null, { timeout: 3_000 })
  const short = h.client.rpc('short', null, { timeout: 1_000 })
  const answered = h.client.rpc('answered', null, { timeout: 1_500 })
  // One timer for all three deadlines (the watchdog's and others' are in `before`).
  assert.equal(h.clock.pending, before + 1)
  h.socket.receive({ type: 'reply', id: h.socket.last('rpc').id, data: 'yes' })
  assert.equal(await answered, 'yes')
  const outcome = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code: number }) => e.code)
  const shortOutcome = outcome(short)
  const longOutcome = outcome(long)
  h.clock.advance(999)
  await flush()
  assert.equal(await Promise.race([shortOutcome, Promise.resolve('pending')]), 'pending')
  h.clock.advance(1)
  assert.equal(await shortOutcome, 107)
  h.clock.advance(1_999)
  await flush()
  assert.equal(await Promise.race([longOutcome, Promise.resolve('pending')]), 'pending')
  h.clock.advance(1)
  assert.equal(await longOutcome, 107)
  assert.equal(h.clock.pending, before)
})

test('requests sent on a connection that drops reject with 200 Disconnected', async () => {
  const h = harness()
  await h.connect()
  const r = h.client.rpc('x')
  const p = h.client.presence('room')
  h.socket.serverClose(1006)
  await assert.rejects(r, { code: 200, retryable: true })
  await assert.rejects(p, { code: 200 })
})

test('a request made while not connected waits for the connection (within its timeout)', async () => {
  const h = harness()
  h.client.connect()
  const r = h.client.rpc('x', 1)
  await flush()
  assert.equal(h.socket.all('rpc').length, 0)
  h.socket.accept()
  await flush()
  h.socket.reply('rpc', { type: 'reply', data: 'ok' })
  assert.equal(await r, 'ok')

  h.socket.serverClose(1006)
  const waiting = h.client.rpc('y', null, { timeout: 500 })
  h.clock.advance(500)
  await assert.rejects(waiting, { code: 107 })
})

test('requests while closed reject with 201; close() rejects pending ones with 201', async () => {
  const h = harness()
  await assert.rejects(h.client.rpc('x'), { code: 201 })
  await assert.rejects(h.client.history('c'), { code: 201 })
  await h.connect()
  const pending = h.client.rpc('x')
  h.client.close()
  await assert.rejects(pending, { code: 201, retryable: false })
})

test('history with since returns recovered; an unexpected reply type is an error, not a crash', async () => {
  const h = harness()
  await h.connect()
  const q = h.client.history('c', { since: { epoch: 'e', offset: 3 }, limit: 10 })
  assert.deepEqual({ ...h.socket.last('history'), id: 0 }, { type: 'history', id: 0, channel: 'c', since: { epoch: 'e', offset: 3 }, limit: 10 })
  h.socket.reply('history', { type: 'history', channel: 'c', epoch: 'e', offset: 3, publications: [], recovered: true })
  assert.deepEqual(await q, { epoch: 'e', offset: 3, publications: [], recovered: true })
  const odd = h.client.history('c')
  h.socket.reply('history', { type: 'ack' })
  await assert.rejects(odd, { code: 108 })
})

test('a terminal close also fails requests still waiting for a connection (200)', async () => {
  const h = harness()
  h.client.connect()
  await flush()
  const waiting = h.client.rpc('x')
  h.socket.open()
  h.socket.serverClose(4500, 'bad token')
  await assert.rejects(waiting, { code: 200 })
})
