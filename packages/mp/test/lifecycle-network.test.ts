/**
 * App lifecycle (hide/show, the background cut) and the network (research/platform-api.md §7.19,
 * §2.9), all on a FakeClock: the 5 s cut happens when the test says so.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createMiniProgram, type MiniProgramFlags } from '@minisocket/mp'
import { flush, startServer, until, type TestServer } from './helpers.js'

async function twoOpenTasks(server: TestServer, flags: Partial<MiniProgramFlags> = {}) {
  const clock = new FakeClock()
  const mp = createMiniProgram({ platform: 'wx', clock, flags })
  const log: string[] = []
  const a = mp.api.connectSocket({ url: server.url })
  const b = mp.api.connectSocket({ url: server.url })
  a.onClose((r) => log.push(`a ${r.code} ${r.reason}`))
  b.onClose((r) => log.push(`b ${r.code} ${r.reason}`))
  mp.api.onSocketClose((r) => log.push(`global ${r.code} ${r.reason}`))
  let opened = 0
  a.onOpen(() => opened++)
  b.onOpen(() => opened++)
  await until(() => opened === 2, 'both open')
  return { mp, clock, log, a, b }
}

test('§7.19 about 5 s after hide() every socket closes with reason "interrupted" (code 0), wx.onSocketClose fires once, task onClose fires', async (t) => {
  const server = await startServer()
  const { mp, clock, log, a } = await twoOpenTasks(server)
  t.after(async () => { mp.dispose(); await server.stop() })
  const app: string[] = []
  mp.api.onAppHide(() => app.push('hide'))
  mp.api.onAppShow((r) => app.push(`show ${r.scene}`))
  mp.hide()
  assert.deepEqual(app, ['hide'])
  clock.advance(4999)
  assert.deepEqual(log, [], 'still alive in the background')
  const echoed: unknown[] = []
  a.onMessage((m) => echoed.push(m.data))
  a.send({ data: 'in background' })
  await until(() => echoed.length === 1, 'background traffic still flows before the cut')
  clock.advance(1)
  assert.equal(mp.appState, 'suspended')
  assert.deepEqual(log, ['a 0 interrupted', 'b 0 interrupted', 'global 0 interrupted'])
  assert.equal(mp.liveSockets, 0)
  await until(() => server.sockets.every((s) => s.readyState === s.CLOSED), 'server sees the drops')
})

test('§7.19 while suspended network calls fail "…:fail interrupted"; show() restores the API but not the sockets', async (t) => {
  const server = await startServer()
  const { mp, clock, a } = await twoOpenTasks(server)
  t.after(async () => { mp.dispose(); await server.stop() })
  mp.hide()
  clock.advance(5000)
  const fails: string[] = []
  const fail = (r: { errMsg: string }) => fails.push(r.errMsg)
  const task = mp.api.connectSocket({ url: server.url, fail })
  mp.api.sendSocketMessage({ data: 'x', fail })
  a.send({ data: 'x', fail })
  await flush()
  assert.deepEqual(fails, ['connectSocket:fail interrupted', 'sendSocketMessage:fail interrupted', 'sendSocketMessage:fail interrupted'])
  assert.equal(task.readyState, 3)
  const shows: number[] = []
  mp.api.onAppShow((r) => shows.push(r.scene))
  mp.show()
  assert.deepEqual(shows, [1001])
  assert.equal(a.readyState, 3, 'the cut socket stays closed')
  let reopened = false
  mp.api.connectSocket({ url: server.url }).onOpen(() => { reopened = true })
  await until(() => reopened, 'connect works after show')
})

test('§7.19 flags backgroundCloseCode 1000 and backgroundTaskClose suppress (iOS: only wx.onSocketClose fires)', async (t) => {
  const server = await startServer()
  const { mp, clock, log } = await twoOpenTasks(server, { backgroundCloseCode: 1000, backgroundTaskClose: 'suppress' })
  t.after(async () => { mp.dispose(); await server.stop() })
  mp.hide()
  clock.advance(5000)
  assert.deepEqual(log, ['global 1000 interrupted'])
  assert.equal(mp.liveSockets, 0)
})

test('§7.19 show() within 5 s cancels the cut; hide() and show() are idempotent', async (t) => {
  const server = await startServer()
  const { mp, clock, log } = await twoOpenTasks(server)
  t.after(async () => { mp.dispose(); await server.stop() })
  const app: string[] = []
  mp.api.onAppHide(() => app.push('hide'))
  mp.api.onAppShow(() => app.push('show'))
  mp.hide()
  mp.hide()
  clock.advance(3000)
  mp.show()
  mp.show()
  clock.advance(10_000)
  assert.deepEqual(app, ['hide', 'show'])
  assert.deepEqual(log, [])
  assert.equal(mp.liveSockets, 2)
  assert.equal(clock.pending, 0, 'no timer left behind')
})

test('offAppShow/offAppHide remove the same function object; no argument removes all', async (t) => {
  const mp = createMiniProgram({ platform: 'wx', clock: new FakeClock() })
  t.after(() => mp.dispose())
  const calls: string[] = []
  const a = () => calls.push('a')
  const b = () => calls.push('b')
  mp.api.onAppShow(a)
  mp.api.onAppShow(b)
  mp.api.offAppShow(a)
  mp.hide()
  mp.show()
  mp.api.offAppShow()
  mp.hide()
  mp.show()
  assert.deepEqual(calls, ['b'])
})

test('setNetwork: onNetworkStatusChange, getNetworkType; "none" drops sockets with {1006} and no onError, connects fail until the network returns', async (t) => {
  const server = await startServer()
  const mp = createMiniProgram({ platform: 'wx', clock: new FakeClock() })
  t.after(async () => { mp.dispose(); await server.stop() })
  const log: string[] = []
  mp.api.onNetworkStatusChange((r) => log.push(`net ${r.isConnected} ${r.networkType}`))
  const task = mp.api.connectSocket({ url: server.url })
  task.onError((r) => log.push(`error ${r.errMsg}`))
  task.onClose((r) => log.push(`close ${r.code} ${r.reason}`))
  let open = false
  task.onOpen(() => { open = true })
  await until(() => open, 'open')
  mp.setNetwork('none')
  mp.setNetwork('none')
  assert.deepEqual(log, ['net false none', 'close 1006 abnormal closure'])
  assert.deepEqual(await mp.api.getNetworkType(), { networkType: 'none', signalStrength: 0, hasSystemProxy: false, weakNet: false, errMsg: 'getNetworkType:ok' })

  const offline: string[] = []
  const t2 = mp.api.connectSocket({ url: server.url, success: (r) => offline.push(r.errMsg) })
  t2.onError((r) => offline.push(r.errMsg))
  await flush()
  assert.deepEqual(offline, ['connectSocket:ok', 'createSocketTask:fail network is down'])

  mp.setNetwork('4g')
  assert.equal(log.at(-1), 'net true 4g')
  let reopened = false
  mp.api.connectSocket({ url: server.url }).onOpen(() => { reopened = true })
  await until(() => reopened, 'reconnects once the network is back')
  mp.api.offNetworkStatusChange()
  mp.setNetwork('wifi')
  assert.equal(log.at(-1), 'net true 4g', 'all listeners removed')
})
