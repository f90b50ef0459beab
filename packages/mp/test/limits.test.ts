/**
 * The socket budget: 5 concurrent sockets, the 2017–18 limit of 2, and the legacy single-socket
 * mode where a new connect closes the old one (research/platform-api.md §7.11, §5).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createMiniProgram, type MiniProgramOptions, type Platform } from '@minisocket/mp'
import { flush, startServer, until } from './helpers.js'

function app<P extends Platform>(options: Omit<Partial<MiniProgramOptions>, 'platform'> & { platform: P }) {
  return createMiniProgram({ clock: new FakeClock(), ...options })
}

test('§7.11 with 5 live tasks a 6th still returns a task; success, then its onError and wx.onSocketError "exceed max concurrent count"; a slot frees only at CLOSED', async (t) => {
  const server = await startServer()
  const mp = app({ platform: 'wx' })
  t.after(async () => { mp.dispose(); await server.stop() })
  const tasks = Array.from({ length: 5 }, () => mp.api.connectSocket({ url: server.url }))
  await until(() => server.sockets.length === 5, 'five open')
  const log: string[] = []
  mp.api.onSocketError((r) => log.push(`global ${r.errMsg}`))
  const sixth = mp.api.connectSocket({ url: server.url, success: (r) => log.push(r.errMsg) })
  sixth.onError((r) => log.push(`task ${r.errMsg}`))
  await flush()
  assert.deepEqual(log, [
    'connectSocket:ok',
    'task createSocketTask:fail wcwss taskID=6 exceed max concurrent count',
    'global createSocketTask:fail wcwss taskID=6 exceed max concurrent count',
  ])
  assert.equal(sixth.readyState, 3)
  assert.equal(mp.liveSockets, 5)

  tasks[0]?.close({})
  assert.equal(mp.liveSockets, 5, 'CLOSING still holds the slot')
  await until(() => mp.liveSockets === 4, 'first closed')
  let opened = false
  mp.api.connectSocket({ url: server.url }).onOpen(() => { opened = true })
  await until(() => opened, 'the 7th opens in the freed slot')
})

test('§7.11 the 2017–18 limit of 2 via socketLimit', async (t) => {
  const server = await startServer()
  const mp = app({ platform: 'wx', socketLimit: { max: 2, whenFull: 'error' } })
  t.after(async () => { mp.dispose(); await server.stop() })
  mp.api.connectSocket({ url: server.url })
  mp.api.connectSocket({ url: server.url })
  const errors: string[] = []
  mp.api.connectSocket({ url: server.url }).onError((r) => errors.push(r.errMsg))
  await flush()
  assert.deepEqual(errors, ['createSocketTask:fail wcwss taskID=3 exceed max concurrent count'])
})

test('§7.11 legacy single-socket mode (base library < 1.7.0): a new connect closes the old socket', async (t) => {
  const server = await startServer()
  const mp = app({ platform: 'wx', baseLibraryVersion: '1.6.0' })
  t.after(async () => { mp.dispose(); await server.stop() })
  const log: string[] = []
  const first = mp.api.connectSocket({ url: server.url })
  first.onOpen(() => log.push('first open'))
  first.onClose((r) => log.push(`first close ${r.code}`))
  await until(() => log.length === 1, 'first open')
  const second = mp.api.connectSocket({ url: server.url })
  second.onOpen(() => log.push('second open'))
  await until(() => log.length === 3, 'replace')
  assert.deepEqual(log.slice().sort(), ['first close 1000', 'first open', 'second open'])
  assert.equal(first.readyState, 3)
  await until(() => mp.liveSockets === 1, 'one live socket')
})

test('§7.11 per platform: Douyin keeps old sockets and caps at 5; Baidu before 1.9.4 replaces', async (t) => {
  const server = await startServer()
  const tt = app({ platform: 'tt' })
  const swan = app({ platform: 'swan', baseLibraryVersion: '1.9.3' })
  t.after(async () => { tt.dispose(); swan.dispose(); await server.stop() })
  for (let i = 0; i < 5; i++) tt.api.connectSocket({ url: server.url })
  const errors: string[] = []
  tt.api.connectSocket({ url: server.url }).onError((r) => errors.push(r.errMsg))
  await until(() => errors.length === 1, 'sixth tt error')
  assert.equal(tt.liveSockets, 5, 'old Douyin connections are not auto-closed')

  const closes: number[] = []
  swan.api.connectSocket({ url: server.url }).onClose((r) => closes.push(r.code))
  swan.api.connectSocket({ url: server.url })
  await until(() => closes.length === 1, 'first swan socket replaced')
  assert.deepEqual(closes, [1000])
})
