/**
 * SocketTask.send / close and the close/error events (research/platform-api.md §7.5–§7.10).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { WebSocket } from 'ws'
import { FakeClock } from '@minisocket/testkit'
import { createMiniProgram, type MiniProgramFlags } from '@minisocket/mp'
import { flush, startServer, until, type TestServer } from './helpers.js'

async function openTask(server: TestServer, flags: Partial<MiniProgramFlags> = {}) {
  const mp = createMiniProgram({ platform: 'wx', clock: new FakeClock(), flags })
  const task = mp.api.connectSocket({ url: server.url })
  let open = false
  task.onOpen(() => { open = true })
  await until(() => open, 'open')
  return { mp, task }
}

/** Calls `fn` with success/fail/complete that record `ok:`/`fail:` + errMsg, and waits for them. */
async function outcome(fn: (cb: { success: (r: { errMsg: string }) => void; fail: (r: { errMsg: string }) => void }) => unknown): Promise<string> {
  const got: string[] = []
  let threw: unknown
  try {
    fn({ success: (r) => got.push(`ok:${r.errMsg}`), fail: (r) => got.push(`fail:${r.errMsg}`) })
  } catch (error) {
    threw = error
  }
  assert.equal(threw, undefined, 'mini-program APIs never throw for bad input')
  await flush()
  assert.equal(got.length, 1, `exactly one of success/fail: ${got.join(', ')}`)
  return got[0] as string
}

test('§7.5 send with string or ArrayBuffer succeeds; any other type fails with sendSocketMessage:fail, never throws', async (t) => {
  const server = await startServer()
  const { mp, task } = await openTask(server)
  t.after(async () => { mp.dispose(); await server.stop() })
  assert.equal(await outcome((cb) => task.send({ data: 'text', ...cb })), 'ok:sendSocketMessage:ok')
  assert.equal(await outcome((cb) => task.send({ data: new Uint8Array([9, 8]).buffer, ...cb })), 'ok:sendSocketMessage:ok')
  assert.equal(await outcome((cb) => task.send({ data: new Uint8Array([1]) as any, ...cb })), 'fail:sendSocketMessage:fail unknown data')
  assert.equal(await outcome((cb) => task.send({ data: { a: 1 } as any, ...cb })), 'fail:sendSocketMessage:fail unknown data')
  assert.equal(await outcome((cb) => task.send({ data: 5 as any, ...cb })), 'fail:sendSocketMessage:fail unknown data')
  assert.equal(await outcome((cb) => task.send({ ...cb } as any)), 'fail:sendSocketMessage:fail message is null or nil')
  assert.doesNotThrow(() => task.send(undefined as any))
  await until(() => server.received.length === 2, 'two frames on the server')
  assert.deepEqual(server.received.map((r) => r.isBinary), [false, true])
  assert.deepEqual([...(server.received[1]?.data as Buffer)], [9, 8])
})

test('§7.6 send before open fails "WebSocket is not connected"; after close "taskID not exist" (flag sendAfterClose both ways)', async (t) => {
  const server = await startServer()
  t.after(() => server.stop())
  for (const sendAfterClose of ['taskID not exist', 'not connected'] as const) {
    const mp = createMiniProgram({ platform: 'wx', clock: new FakeClock(), flags: { sendAfterClose } })
    t.after(() => mp.dispose())
    const task = mp.api.connectSocket({ url: server.url })
    let closed = false
    task.onOpen(() => task.close({}))
    task.onClose(() => { closed = true })
    assert.equal(await outcome((cb) => task.send({ data: 'early', ...cb })), 'fail:sendSocketMessage:fail WebSocket is not connected')
    await until(() => closed, 'closed')
    const expected = sendAfterClose === 'taskID not exist' ? 'sendSocketMessage:fail taskID not exist' : 'sendSocketMessage:fail WebSocket is not connected'
    assert.equal(await outcome((cb) => task.send({ data: 'late', ...cb })), `fail:${expected}`)
  }
})

test('§7.7 close: bad code fails and the socket stays open; reason over 123 bytes fails; valid close succeeds, then onClose', async (t) => {
  const server = await startServer()
  const { mp, task } = await openTask(server)
  t.after(async () => { mp.dispose(); await server.stop() })
  const bad = 'fail:closeSocket:fail The code must be either 1000, or between 3000 and 4999'
  for (const code of [999, 1001, 2999, 5000, 3000.5]) assert.equal(await outcome((cb) => task.close({ code, ...cb })), bad, String(code))
  assert.equal(await outcome((cb) => task.close({ reason: '码'.repeat(42), ...cb })), 'fail:closeSocket:fail The message must not be greater than 123 bytes', '126 bytes in 42 characters')
  assert.equal(task.readyState, 1, 'still open')
  const echoed: unknown[] = []
  task.onMessage((m) => echoed.push(m.data))
  task.send({ data: 'still works' })
  await until(() => echoed.length === 1, 'echo')

  const log: string[] = []
  task.onClose((r) => log.push(`onClose ${r.code} ${r.reason}`))
  task.close({ code: 4001, reason: 'x'.repeat(123), success: (r) => log.push(r.errMsg) })
  await until(() => log.length === 2, 'close')
  assert.deepEqual(log, ['closeSocket:ok', `onClose 4001 ${'x'.repeat(123)}`])
  assert.deepEqual(server.closes, [{ code: 4001, reason: 'x'.repeat(123) }])
})

test('§7.7 flag validateCloseReason false: a long reason is not rejected by the API', async (t) => {
  const server = await startServer()
  const { mp, task } = await openTask(server, { validateCloseReason: false })
  t.after(async () => { mp.dispose(); await server.stop() })
  let closed = false
  task.onClose(() => { closed = true })
  assert.equal(await outcome((cb) => task.close({ code: 1000, reason: 'y'.repeat(200), ...cb })), 'ok:closeSocket:ok')
  await until(() => closed, 'closed')
  assert.equal(server.closes[0]?.code, 1000)
})

test('§7.8 after a successful close, a second close or send fails with "taskID not exist"', async (t) => {
  const server = await startServer()
  const { mp, task } = await openTask(server)
  t.after(async () => { mp.dispose(); await server.stop() })
  assert.equal(await outcome((cb) => task.close({ ...cb })), 'ok:closeSocket:ok')
  assert.equal(await outcome((cb) => task.close({ ...cb })), 'fail:closeSocket:fail taskID not exist')
  assert.equal(await outcome((cb) => task.send({ data: 'x', ...cb })), 'fail:sendSocketMessage:fail taskID not exist')
})

test('§7.9 onClose is {code, reason}: local close reports what was sent, peer close the peer\'s, abnormal loss {1006, "abnormal closure"}', async (t) => {
  let serverSide: WebSocket[] = []
  const server = await startServer({ onConnection: (ws) => { serverSide.push(ws) } })
  const mp = createMiniProgram({ platform: 'wx', clock: new FakeClock() })
  t.after(async () => { mp.dispose(); await server.stop() })
  const closes: unknown[] = []
  const a = mp.api.connectSocket({ url: server.url })
  const b = mp.api.connectSocket({ url: server.url })
  const c = mp.api.connectSocket({ url: server.url })
  for (const task of [a, b, c]) task.onClose((r) => closes.push(r))
  await until(() => serverSide.length === 3, 'three connections')
  a.close({ code: 3001, reason: 'bye' })
  await until(() => closes.length === 1, 'local close')
  serverSide[1]?.close(4002, 'server says bye')
  await until(() => closes.length === 2, 'peer close')
  serverSide[2]?.terminate()
  await until(() => closes.length === 3, 'abnormal close')
  assert.deepEqual(closes, [{ code: 3001, reason: 'bye' }, { code: 4002, reason: 'server says bye' }, { code: 1006, reason: 'abnormal closure' }])
  serverSide = []
})

test('§7.10 onError is {errMsg}, at most once per task, then onClose (flag closeAfterError: deliver / suppress)', async (t) => {
  const server = await startServer({ rejectStatus: 403 })
  t.after(() => server.stop())
  for (const closeAfterError of ['deliver', 'suppress'] as const) {
    const mp = createMiniProgram({ platform: 'wx', clock: new FakeClock(), flags: { closeAfterError } })
    t.after(() => mp.dispose())
    const log: unknown[] = []
    const task = mp.api.connectSocket({ url: server.url })
    task.onError((r) => log.push(r))
    task.onClose((r) => log.push(r))
    await until(() => task.readyState === 3, 'failed')
    await flush()
    const expected: unknown[] = [{ errMsg: 'Invalid HTTP status' }]
    if (closeAfterError === 'deliver') expected.push({ code: 1006, reason: 'abnormal closure' })
    assert.deepEqual(log, expected, closeAfterError)
    assert.equal(mp.liveSockets, 0, 'the slot is free')
  }
})
