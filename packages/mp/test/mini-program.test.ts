/**
 * The emulator's own controls: options validation, install(), dispose(), errors thrown by user
 * callbacks.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createMiniProgram, type MiniProgramOptions } from '@minisocket/mp'
import { flush, startServer, until } from './helpers.js'

test('bad options are a clear TypeError at creation', () => {
  assert.throws(() => createMiniProgram({ platform: 'wechat' } as unknown as MiniProgramOptions), /platform must be one of wx, uni, my, tt, swan, qq, taro/)
  assert.throws(() => createMiniProgram({ platform: 'wx', env: 'prod' } as unknown as MiniProgramOptions), /env must be 'develop' or 'release'/)
  assert.throws(() => createMiniProgram({ platform: 'wx', socketLimit: { max: 0, whenFull: 'error' } }), /socketLimit.max/)
})

test('install() sets the platform global and returns its undo; dispose() undoes every install', () => {
  const target: Record<string, unknown> = { wx: 'previous' }
  const wx = createMiniProgram({ platform: 'wx', clock: new FakeClock() })
  const taro = createMiniProgram({ platform: 'taro', clock: new FakeClock() })
  const undo = wx.install(target)
  taro.install(target)
  assert.equal(target['wx'], wx.api)
  assert.equal(target['Taro'], taro.api)
  undo()
  assert.equal(target['wx'], 'previous')
  taro.dispose()
  assert.equal('Taro' in target, false)
  wx.dispose()
  const global = createMiniProgram({ platform: 'tt', clock: new FakeClock() })
  global.install()
  assert.equal((globalThis as Record<string, unknown>)['tt'], global.api)
  global.dispose()
  assert.equal('tt' in globalThis, false)
})

test('dispose() drops sockets without events, clears timers; later calls fail "runtime invalidated"', async (t) => {
  const server = await startServer()
  const clock = new FakeClock()
  const mp = createMiniProgram({ platform: 'wx', clock })
  t.after(() => server.stop())
  const events: string[] = []
  const task = mp.api.connectSocket({ url: server.url })
  task.onClose(() => events.push('close'))
  task.onError(() => events.push('error'))
  let open = false
  task.onOpen(() => { open = true })
  await until(() => open, 'open')
  mp.hide()
  mp.dispose()
  assert.equal(clock.pending, 0, 'the background cut timer is gone')
  await until(() => server.sockets[0]?.readyState === server.sockets[0]?.CLOSED, 'server saw the drop')
  await flush()
  assert.deepEqual(events, [])
  assert.equal(mp.liveSockets, 0)
  const fails: string[] = []
  mp.api.connectSocket({ url: server.url, fail: (r) => fails.push(r.errMsg) })
  task.send({ data: 'x', fail: (r) => fails.push(r.errMsg) })
  await flush()
  assert.deepEqual(fails, ['connectSocket:fail runtime invalidated', 'sendSocketMessage:fail runtime invalidated'])
})

test('an error thrown by a user callback goes to onUncaughtError and the emulator keeps working', async (t) => {
  const server = await startServer()
  const caught: unknown[] = []
  const mp = createMiniProgram({ platform: 'wx', clock: new FakeClock(), onUncaughtError: (e) => caught.push(e) })
  t.after(async () => { mp.dispose(); await server.stop() })
  const task = mp.api.connectSocket({ url: server.url, success: () => { throw new Error('from success') } })
  const got: unknown[] = []
  task.onOpen(() => { throw new Error('from onOpen') })
  task.onOpen(() => task.send({ data: 'still here' }))
  task.onMessage((m) => got.push(m.data))
  await until(() => got.length === 1, 'the second listener still ran')
  assert.deepEqual(caught.map((e) => (e as Error).message), ['from success', 'from onOpen'])
})
