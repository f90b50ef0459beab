/**
 * The old global socket API and the Promise rules (research/platform-api.md §7.12–§7.14, §7.20).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createMiniProgram, type MiniProgramOptions } from '@minisocket/mp'
import { flush, startServer, until } from './helpers.js'

const wx = (extra: Omit<Partial<MiniProgramOptions>, 'platform'> = {}) => createMiniProgram({ platform: 'wx', clock: new FakeClock(), ...extra })

test('§7.12 the global API is bound to the newest task: onSocketMessage fires for it alongside its task listeners, not for older tasks', async (t) => {
  const server = await startServer()
  const mp = wx()
  t.after(async () => { mp.dispose(); await server.stop() })
  const log: string[] = []
  mp.api.onSocketMessage((m) => log.push(`global ${String(m.data)}`))
  const older = mp.api.connectSocket({ url: server.url })
  const newer = mp.api.connectSocket({ url: server.url })
  older.onMessage((m) => log.push(`older ${String(m.data)}`))
  newer.onMessage((m) => log.push(`newer ${String(m.data)}`))
  let opened = 0
  older.onOpen(() => opened++)
  newer.onOpen(() => opened++)
  await until(() => opened === 2, 'both open')
  older.send({ data: 'a' })
  await until(() => log.length === 1, 'older echo')
  newer.send({ data: 'b' })
  await until(() => log.length === 3, 'newer echo')
  assert.deepEqual(log, ['older a', 'newer b', 'global b'])

  mp.api.sendSocketMessage({ data: 'c' })
  await until(() => log.length === 5, 'global send goes to the newest')
  assert.deepEqual(log.slice(3), ['newer c', 'global c'])
})

test('§7.12 each wx.onSocketX(cb) replaces the previous global callback', async (t) => {
  const server = await startServer()
  const mp = wx()
  t.after(async () => { mp.dispose(); await server.stop() })
  const calls: string[] = []
  mp.api.onSocketOpen(() => calls.push('app.js'))
  mp.api.onSocketOpen(() => calls.push('page'))
  mp.api.connectSocket({ url: server.url })
  await until(() => calls.length > 0, 'open')
  await flush()
  assert.deepEqual(calls, ['page'])
})

test('§7.12 with no socket, sendSocketMessage/closeSocket fail "WebSocket is not connected"; without callbacks the Promise rejects with the fail object', async (t) => {
  const mp = wx()
  t.after(() => mp.dispose())
  const fails: string[] = []
  assert.equal(mp.api.sendSocketMessage({ data: 'x', fail: (r) => fails.push(r.errMsg) }), undefined)
  assert.equal(mp.api.closeSocket({ fail: (r) => fails.push(r.errMsg) }), undefined)
  await flush()
  assert.deepEqual(fails, ['sendSocketMessage:fail WebSocket is not connected', 'closeSocket:fail WebSocket is not connected'])
  await assert.rejects(mp.api.sendSocketMessage({ data: 'x' }), { errMsg: 'sendSocketMessage:fail WebSocket is not connected' })
  await assert.rejects(mp.api.closeSocket(), { errMsg: 'closeSocket:fail WebSocket is not connected' })
})

test('§7.13 connectSocket and SocketTask methods never return promises; the global send/close do only without callbacks (base library ≥ 2.10.2)', async (t) => {
  const server = await startServer()
  const mp = wx()
  const old = wx({ baseLibraryVersion: '2.10.1' })
  t.after(async () => { mp.dispose(); old.dispose(); await server.stop() })
  const task = mp.api.connectSocket({ url: server.url })
  assert.equal(task instanceof Promise, false)
  assert.equal(typeof (task as any).then, 'undefined')
  let opened = false
  task.onOpen(() => { opened = true })
  await until(() => opened, 'open')
  assert.equal((task.send as any)({ data: 'x' }), undefined)
  const p = mp.api.sendSocketMessage({ data: 'y' })
  assert.ok(p instanceof Promise)
  assert.deepEqual(await p, { errMsg: 'sendSocketMessage:ok' })
  assert.equal(mp.api.sendSocketMessage({ data: 'z', complete: () => undefined }), undefined)
  assert.equal((old.api.sendSocketMessage as any)({ data: 'x' }), undefined, 'no promises before 2.10.2')
  assert.equal((task.close as any)({}), undefined)
})

test('§7.14 no off* methods on WeChat tasks or the wx socket API', async (t) => {
  const mp = wx()
  t.after(() => mp.dispose())
  const task = mp.api.connectSocket({ url: 'ws://127.0.0.1:1' }) as any
  for (const name of ['offOpen', 'offMessage', 'offClose', 'offError']) assert.equal(task[name], undefined, name)
  const api = mp.api as any
  for (const name of ['offSocketOpen', 'offSocketMessage', 'offSocketClose', 'offSocketError']) assert.equal(api[name], undefined, name)
  assert.equal(typeof api.offNetworkStatusChange, 'function', 'other off* APIs do exist')
  await flush()
})

test('§7.20 wx.closeSocket before onSocketOpen does not prevent the open (flag closeBeforeOpen: ignored / closes)', async (t) => {
  const server = await startServer()
  t.after(() => server.stop())
  for (const closeBeforeOpen of ['ignored', 'closes'] as const) {
    const mp = wx({ flags: { closeBeforeOpen } })
    t.after(() => mp.dispose())
    const log: string[] = []
    mp.api.onSocketOpen(() => log.push('open'))
    mp.api.onSocketClose((r) => log.push(`close ${r.code}`))
    mp.api.connectSocket({ url: server.url })
    mp.api.closeSocket({ success: (r) => log.push(r.errMsg), fail: (r) => log.push(r.errMsg) })
    if (closeBeforeOpen === 'ignored') {
      await until(() => log.includes('open'), 'opens anyway')
      assert.deepEqual(log, ['closeSocket:fail WebSocket is not connected', 'open'])
    } else {
      await until(() => log.length === 2, 'closed')
      await flush()
      assert.deepEqual(log, ['closeSocket:ok', 'close 1000'])
      assert.equal(mp.liveSockets, 0)
    }
  }
})
