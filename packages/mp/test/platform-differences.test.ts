/**
 * Per-platform differences that docs/mini-programs.md ("Per-platform notes") states beyond the
 * §7 list: Alipay's release-mode rules (subdomains of a whitelisted domain pass, ws:// is error
 * 20) and its numbered failures (10 not open, 6 timeout); and the Promise style of tt, swan, qq and
 * my (uni-app and Taro: platforms.test.ts).
 */
import assert from 'node:assert/strict'
import { createServer as createTcpServer, type Socket } from 'node:net'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createMiniProgram } from '@minisocket/mp'
import { flush, startServer, until } from './helpers.js'

type Fail = { error?: number; errorMessage?: string; errMsg?: string }

test('Alipay release: a subdomain of a whitelisted domain passes (WeChat: it does not); ws:// fails with error 20', async (t) => {
  const server = await startServer()
  const release = (platform: 'my' | 'wx') => createMiniProgram({ platform, env: 'release', domains: ['example.com'], clock: new FakeClock(), route: () => server.url })
  const my = release('my')
  const wx = release('wx')
  t.after(async () => { my.dispose(); wx.dispose(); await server.stop() })

  const opened: unknown[] = []
  const task = my.api.connectSocket({ url: 'wss://chat.example.com/ws', multiple: true })
  task.onOpen((r) => opened.push(r))
  await until(() => opened.length === 1, 'Alipay subdomain socket open')

  const fails: Fail[] = []
  my.api.connectSocket({ url: 'ws://example.com/ws', multiple: true, fail: (r: Fail) => fails.push(r) })
  const wxFails: Fail[] = []
  wx.api.connectSocket({ url: 'wss://chat.example.com/ws', fail: (r: Fail) => wxFails.push(r) })
  await flush()
  await until(() => fails.length === 1 && wxFails.length === 1, 'both refusals')
  assert.equal(fails[0]?.error, 20, 'ws:// in release is Alipay error 20')
  assert.equal(typeof fails[0]?.errorMessage, 'string')
  assert.match(wxFails[0]?.errMsg ?? '', /^connectSocket:fail/, 'WeChat matches the exact domain only')
})

test('Alipay numbered failures: send on a task that is not open → error 10; a handshake that never answers → onError with error 6 after the 30 s default', async (t) => {
  // A TCP server that accepts and never answers the upgrade.
  const hung: Socket[] = []
  const tcp = createTcpServer((s) => hung.push(s))
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
  const port = (tcp.address() as { port: number }).port
  const clock = new FakeClock()
  const my = createMiniProgram({ platform: 'my', clock })
  t.after(async () => {
    my.dispose()
    for (const s of hung) s.destroy()
    await new Promise<void>((resolve) => tcp.close(() => resolve()))
  })

  // The task is created at once (connectSocket succeeds with its socketTaskID); a failure of the
  // handshake later arrives as the task's onError envelope.
  const fails: Fail[] = []
  const task = my.api.connectSocket({ url: `ws://127.0.0.1:${port}/`, multiple: true })
  task.onError((r: Fail) => fails.push(r))
  const sendFails: Fail[] = []
  task.send({ data: 'too early', fail: (r: Fail) => sendFails.push(r) })
  await flush()
  assert.equal(sendFails[0]?.error, 10, 'send before open')
  await until(() => hung.length === 1, 'the TCP connection reached the hung server')
  clock.advance(29_999)
  await flush()
  assert.equal(fails.length, 0, 'not before the 30 s default timeout')
  clock.advance(1)
  await until(() => fails.length === 1, 'timeout failure')
  assert.equal(fails[0]?.error, 6)
})

// research/platform-api.md §1 "Promise style": tt no; swan not documented (none); qq like wx and
// my per its typings: a Promise exactly when no success/fail/complete is given.
const PROMISE_WITHOUT_CALLBACKS = { tt: false, swan: false, qq: true, my: true } as const

for (const platform of ['tt', 'swan', 'qq', 'my'] as const) {
  const promised = PROMISE_WITHOUT_CALLBACKS[platform]
  test(`${platform}: connectSocket returns the task, never a Promise; other async APIs ${promised ? 'return a Promise only without callbacks' : 'never return a Promise'}`, async (t) => {
    const server = await startServer()
    const mp = createMiniProgram({ platform, clock: new FakeClock() })
    t.after(async () => { mp.dispose(); await server.stop() })
    const api = mp.api as unknown as Record<string, (arg?: unknown) => unknown>
    const task = api['connectSocket']!({ url: server.url, ...(platform === 'my' ? { multiple: true } : {}) }) as { onOpen?: unknown; then?: unknown }
    assert.equal(typeof task.onOpen, 'function', 'connectSocket returns the task')
    assert.equal(task.then, undefined, 'the task is not a thenable')
    const storageArg = { key: 'k', data: 'v' }
    let checked = 0
    for (const [name, arg] of [['getNetworkType', {}], ['setStorage', storageArg], ['getStorage', { key: 'k' }], ['removeStorage', { key: 'k' }]] as const) {
      if (typeof api[name] !== 'function') continue
      checked++
      const withoutCallbacks = api[name]!(arg)
      assert.equal(withoutCallbacks instanceof Promise, promised, `${platform}.${name}() without callbacks`)
      if (withoutCallbacks instanceof Promise) await withoutCallbacks
      let called = false
      const withCallbacks = api[name]!({ ...arg, complete: () => (called = true) })
      assert.ok(!(withCallbacks instanceof Promise), `${platform}.${name}() with callbacks returns no Promise`)
      await flush()
      assert.ok(called, `${platform}.${name}() calls complete`)
    }
    assert.equal(checked, 4, 'every async API checked exists')
  })
}
