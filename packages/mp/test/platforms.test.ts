/**
 * The non-WeChat shapes: uni-app (§7.21), Taro weapp and H5 (§7.22), Alipay (§7.23), Douyin
 * (§7.24), plus Baidu and QQ payload differences.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createMiniProgram, type MiniProgramFlags, type Platform } from '@minisocket/mp'
import { flush, startServer, until } from './helpers.js'

const app = <P extends Platform>(platform: P, flags: Partial<MiniProgramFlags> = {}) =>
  createMiniProgram({ platform, clock: new FakeClock(), flags })

test('§7.21 uni-app: with a callback connectSocket returns the task; without, a Promise of {errMsg, socketTaskId} — never the task (Vue 3)', async (t) => {
  const server = await startServer()
  const mp = app('uni')
  t.after(async () => { mp.dispose(); await server.stop() })
  const task = mp.api.connectSocket({ url: server.url, complete: () => undefined })
  assert.equal(typeof task.onOpen, 'function')
  let opens = 0
  mp.api.onSocketOpen(() => opens++)
  const promised = mp.api.connectSocket({ url: server.url })
  assert.ok(promised instanceof Promise)
  const res = await promised
  assert.deepEqual(res, { errMsg: 'connectSocket:ok', socketTaskId: 2 })
  assert.equal((res as any).onOpen, undefined, 'the classic "this.socketTask.onClose is not a function" bug')
  await until(() => opens === 1, 'the lost task still connects and holds a slot')
  assert.equal(mp.liveSockets, 2)
  assert.deepEqual(await mp.api.sendSocketMessage({ data: 'via global' }), { errMsg: 'sendSocketMessage:ok' })
  await assert.rejects(mp.api.connectSocket({ url: 'http://x' }), { errMsg: 'connectSocket:fail invalid url "http://x"' })
  await assert.rejects(mp.api.sendSocketMessage({ data: 'x' }), { errMsg: 'sendSocketMessage:fail WebSocket is not connected' }, 'the global API follows the newest task, even a failed one')
})

test('§7.21 uni-app flag uniPromise vue2: promises resolve [err, res] and never reject', async (t) => {
  const server = await startServer()
  const mp = app('uni', { uniPromise: 'vue2' })
  t.after(async () => { mp.dispose(); await server.stop() })
  assert.deepEqual(await mp.api.connectSocket({ url: server.url }), [null, { errMsg: 'connectSocket:ok', socketTaskId: 1 }])
  assert.deepEqual(await mp.api.connectSocket({ url: 'http://x' }), [{ errMsg: 'connectSocket:fail invalid url "http://x"' }, undefined])
  assert.deepEqual(await (mp.api.getStorage as any)({ key: 'none' }), [{ errMsg: 'getStorage:fail data not found' }, undefined])
})

test('§7.22 Taro (weapp): connectSocket always returns Promise<SocketTask>, resolving after success with errMsg/socketTaskId copied onto the task; rejects with the fail object', async (t) => {
  const server = await startServer()
  const mp = app('taro')
  t.after(async () => { mp.dispose(); await server.stop() })
  const log: string[] = []
  const p = mp.api.connectSocket({ url: server.url, success: () => log.push('success') })
  assert.ok(p instanceof Promise)
  const task = await p
  log.push('resolved')
  assert.deepEqual(log, ['success', 'resolved'])
  assert.equal(task.errMsg, 'connectSocket:ok')
  assert.equal(task.socketTaskId, 1)
  let open = false
  task.onOpen(() => { open = true })
  await until(() => open, 'open')
  const sent = mp.api.sendSocketMessage({ data: 'x', success: () => undefined })
  assert.ok(sent instanceof Promise, 'Taro promisifies even with callbacks')
  assert.deepEqual(await sent, { errMsg: 'sendSocketMessage:ok' })
  const fails: string[] = []
  await assert.rejects(mp.api.connectSocket({ url: 'http://x', fail: (r) => fails.push(r.errMsg) }), { errMsg: 'connectSocket:fail invalid url "http://x"' })
  assert.deepEqual(fails, ['connectSocket:fail invalid url "http://x"'])
  assert.ok(mp.api.getNetworkType() instanceof Promise)
})

test('§7.22 Taro H5 (flag taroRuntime h5): one listener per event, close sends no code yet onClose reports the requested one, server close is {1006, "abnormal closure"}', async (t) => {
  const server = await startServer()
  const mp = app('taro', { taroRuntime: 'h5' })
  t.after(async () => { mp.dispose(); await server.stop() })
  const task = await mp.api.connectSocket({ url: server.url })
  const log: string[] = []
  task.onOpen(() => log.push('first'))
  task.onOpen((e: any) => log.push(`second ${e.type}`))
  await until(() => log.length > 0, 'open')
  await flush()
  assert.deepEqual(log, ['second open'])
  await assert.rejects((task.send as any)({ data: 'x' }).then(() => task.close({ code: 4000, reason: 'done' })).then(() => (task.send as any)({ data: 'y' })),
    { errMsg: 'SocketTask.send:fail SocketTask.readState is not OPEN' })
  const closes: unknown[] = []
  task.onClose((r) => closes.push(r))
  await until(() => closes.length === 1, 'closed')
  assert.deepEqual(closes, [{ code: 4000, reason: 'done' }])
  await until(() => server.closes.length === 1, 'server saw the close')
  assert.equal(server.closes[0]?.code, 1005, 'no code on the wire')

  const second = await mp.api.connectSocket({ url: server.url })
  const closes2: unknown[] = []
  second.onClose((r) => closes2.push(r))
  await until(() => server.sockets.length === 2, 'connected')
  server.sockets[1]?.close(4100, 'server')
  await until(() => closes2.length === 1, 'server close')
  assert.deepEqual(closes2, [{ code: 1006, reason: 'abnormal closure' }])
})

test('§7.22 Taro H5: the 6th socket fails connectSocket itself; with fail/complete given the promise resolves with the fail result', async (t) => {
  const server = await startServer()
  const mp = app('taro', { taroRuntime: 'h5' })
  t.after(async () => { mp.dispose(); await server.stop() })
  for (let i = 0; i < 5; i++) await mp.api.connectSocket({ url: server.url })
  const tooMany = { errMsg: 'connectSocket:fail 同时最多发起 5 个 socket 请求，更多请参考文档。' }
  await assert.rejects(mp.api.connectSocket({ url: server.url }), tooMany)
  assert.deepEqual(await mp.api.connectSocket({ url: server.url, fail: () => undefined }), tooMany)
  await assert.rejects(mp.api.connectSocket({ url: 7 } as any), { errMsg: 'connectSocket:fail parameter error: parameter.url should be String instead of Number' })
})

test('§7.23 Alipay multiple: true → task with {data:{…}} envelopes, base64 binary with isBuffer, off*; failures {error, errorMessage}', async (t) => {
  const server = await startServer()
  const mp = app('my')
  t.after(async () => { mp.dispose(); await server.stop() })
  const log: unknown[] = []
  const task = mp.api.connectSocket({ url: server.url, multiple: true })
  const removed = () => log.push('removed listener')
  task.onOpen(removed)
  task.offOpen(removed)
  task.onOpen((r) => log.push(r))
  task.onMessage((r) => log.push(r))
  await until(() => log.length === 1, 'open')
  assert.deepEqual(log[0], { data: { socketTaskID: '1' } })
  task.send({ data: 'text' })
  await until(() => log.length === 2, 'text echo')
  assert.deepEqual(log[1], { data: { socketTaskID: '1', data: 'text', isBuffer: false } })
  task.send({ data: Buffer.from([1, 2, 255]).toString('base64'), isBuffer: true })
  await until(() => log.length === 3, 'binary echo')
  assert.deepEqual(server.received[1], { data: Buffer.from([1, 2, 255]), isBinary: true })
  assert.deepEqual(log[2], { data: { socketTaskID: '1', data: 'AQL/', isBuffer: true } })
  task.offMessage()
  task.send({ data: 'unheard' })
  await until(() => server.received.length === 3, 'sent')
  await flush()
  assert.equal(log.length, 3, 'offMessage() without argument removed all')
  const fails: unknown[] = []
  mp.api.connectSocket({ url: 'http://x', multiple: true, fail: (r) => fails.push(r) })
  mp.api.connectSocket({ url: '', multiple: true, fail: (r) => fails.push(r) })
  await flush()
  assert.deepEqual(fails, [{ error: 5, errorMessage: 'URL 必须以 ws 或者 wss 开头' }, { error: 3, errorMessage: 'URL 参数为空' }])
  const closes: unknown[] = []
  task.onClose((r) => closes.push(r))
  task.close({ code: 3001, reason: 'r' })
  await until(() => closes.length === 1, 'close')
  assert.deepEqual(closes[0], { data: { socketTaskID: '1', code: 3001, reason: 'r' } })
})

test('§7.23 Alipay without multiple: connectSocket returns undefined, my.onSocket* accumulate; a second connect fails with error 2 (flag alipaySingleSocket: error / replace)', async (t) => {
  const server = await startServer()
  t.after(() => server.stop())
  for (const alipaySingleSocket of ['error', 'replace'] as const) {
    const mp = app('my', { alipaySingleSocket })
    t.after(() => mp.dispose())
    const log: unknown[] = []
    mp.api.onSocketOpen((...args: unknown[]) => log.push(['open', args.length]))
    mp.api.onSocketOpen(() => log.push('second open listener'))
    mp.api.onSocketMessage((r) => log.push(r))
    mp.api.onSocketClose((r) => log.push(r))
    assert.equal(mp.api.connectSocket({ url: server.url }), undefined)
    await until(() => log.length === 2, 'open')
    assert.deepEqual(log, [['open', 0], 'second open listener'])
    await mp.api.sendSocketMessage({ data: 'hi' })
    await until(() => log.length === 3, 'echo')
    assert.deepEqual(log[2], { data: 'hi', isBuffer: false })
    const fails: unknown[] = []
    mp.api.connectSocket({ url: server.url, fail: (r) => fails.push(r) })
    await flush()
    if (alipaySingleSocket === 'error') {
      assert.deepEqual(fails, [{ error: 2, errorMessage: '网络连接已经存在' }])
    } else {
      await until(() => log.some((x: any) => x.code === 1000), 'old single socket closed')
      assert.deepEqual(log.find((x: any) => x.code !== undefined), { code: 1000, reason: '' })
      assert.deepEqual(fails, [])
    }
    mp.api.offSocketOpen()
  }
})

test('§7.24 Douyin: onClose code is a string by default (flag douyinCloseCode), onOpen has protocolType/socketType, readyState undefined after a parameter error', async (t) => {
  const server = await startServer()
  t.after(() => server.stop())
  for (const douyinCloseCode of ['string', 'number'] as const) {
    const mp = app('tt', { douyinCloseCode })
    t.after(() => mp.dispose())
    const log: any[] = []
    const task = mp.api.connectSocket({ url: server.url })
    task.onOpen((r) => { log.push(r); task.close({ code: 4000, reason: 'x' }) })
    task.onClose((r) => log.push(r))
    await until(() => log.length === 2, 'open and close')
    assert.equal(log[0].socketType, 'tradition')
    assert.equal(typeof log[0].protocolType, 'string')
    assert.deepEqual(log[1].code, douyinCloseCode === 'string' ? '4000' : 4000)
    assert.equal(log[1].reason, 'x')
    const bad = mp.api.connectSocket({ url: undefined } as any)
    assert.equal(bad.readyState, undefined)
    assert.equal((mp.api as any).onSocketOpen, undefined, 'no global socket API on Douyin')
  }
})

test('Baidu onMessage has dataType; QQ onOpen has header only', async (t) => {
  const server = await startServer()
  const swan = app('swan')
  const qq = app('qq')
  t.after(async () => { swan.dispose(); qq.dispose(); await server.stop() })
  const log: any[] = []
  const s = swan.api.connectSocket({ url: server.url })
  s.onOpen(() => { s.send({ data: 'a' }); s.send({ data: new ArrayBuffer(1) }) })
  s.onMessage((m) => log.push(m.dataType))
  qq.api.connectSocket({ url: server.url }).onOpen((r) => log.push(Object.keys(r)))
  await until(() => log.length === 3, 'messages and open')
  assert.deepEqual(log.filter((x) => typeof x === 'string'), ['string', 'arraybuffer'])
  assert.deepEqual(log.find((x) => Array.isArray(x)), ['header'])
})
