/**
 * wx.connectSocket: creation, events, payloads, URL rules, Referer, timeouts, readyState
 * (research/platform-api.md §7.1–§7.4, §7.15–§7.18).
 */
import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createMiniProgram, type MiniProgramOptions } from '@minisocket/mp'
import { flush, startServer, until } from './helpers.js'

function wx(extra: Omit<Partial<MiniProgramOptions>, 'platform'> = {}) {
  return createMiniProgram({ platform: 'wx', clock: new FakeClock(), ...extra })
}

test('§7.1 connectSocket returns a task synchronously; success (then complete) later with exactly {errMsg, socketTaskId}; ids grow and are never reused; success before onOpen', async (t) => {
  const server = await startServer()
  const mp = wx()
  t.after(async () => { mp.dispose(); await server.stop() })
  const log: string[] = []
  const results: unknown[] = []
  const task = mp.api.connectSocket({
    url: server.url,
    success: (res) => { log.push('success'); results.push(res) },
    complete: () => log.push('complete'),
  })
  task.onOpen(() => log.push('open'))
  assert.equal(typeof task.send, 'function')
  assert.equal(log.length, 0, 'nothing is delivered inside connectSocket')
  await until(() => log.includes('open'), 'onOpen')
  assert.deepEqual(log, ['success', 'complete', 'open'])
  assert.deepEqual(results[0], { errMsg: 'connectSocket:ok', socketTaskId: 1 })

  const ids: number[] = []
  mp.api.connectSocket({ url: server.url, success: (r) => ids.push(r.socketTaskId) })
  task.close({})
  await until(() => mp.liveSockets === 1, 'first task closed')
  mp.api.connectSocket({ url: server.url, success: (r) => ids.push(r.socketTaskId) })
  await flush()
  assert.deepEqual(ids, [2, 3], 'a freed slot does not free its id')
})

test('§7.2 listeners registered synchronously get onOpen; late listeners get no replay; no event inside connectSocket', async (t) => {
  const server = await startServer()
  const mp = wx()
  t.after(async () => { mp.dispose(); await server.stop() })
  let early = 0
  let late = 0
  const task = mp.api.connectSocket({ url: server.url })
  task.onOpen(() => { early++ })
  await until(() => early === 1, 'early onOpen')
  task.onOpen(() => { late++ })
  const echoed: unknown[] = []
  task.onMessage((m) => echoed.push(m.data))
  task.send({ data: 'ping' })
  await until(() => echoed.length === 1, 'echo')
  assert.equal(late, 0, 'an open that already happened is not replayed')

  let failed = false
  mp.api.connectSocket({ url: 'http://nope', fail: () => { failed = true } })
  assert.equal(failed, false, 'fail is not called inside connectSocket')
  await flush()
  assert.equal(failed, true)
})

test('§7.3 onOpen has header (response headers) and profile with the 8 SocketProfile keys; wx.onSocketOpen has header; older base libraries omit them', async (t) => {
  const server = await startServer({ responseHeaders: { 'x-served-by': 'test' } })
  const mp = wx()
  const old = wx({ baseLibraryVersion: '2.10.3' })
  t.after(async () => { mp.dispose(); old.dispose(); await server.stop() })
  const opens: any[] = []
  const globals: any[] = []
  mp.api.onSocketOpen((r) => globals.push(r))
  mp.api.connectSocket({ url: server.url }).onOpen((r) => opens.push(r))
  await until(() => opens.length === 1 && globals.length === 1, 'open')
  assert.equal(opens[0].header['x-served-by'], 'test')
  assert.deepEqual(Object.keys(opens[0].profile).sort(), ['connectEnd', 'connectStart', 'cost', 'domainLookUpEnd', 'domainLookUpStart', 'fetchStart', 'handshakeCost', 'rtt'])
  for (const v of Object.values(opens[0].profile)) assert.equal(typeof v, 'number')
  assert.deepEqual(Object.keys(globals[0]), ['header'])
  assert.equal(globals[0].header['x-served-by'], 'test')

  const oldOpens: any[] = []
  old.api.connectSocket({ url: server.url }).onOpen((r) => oldOpens.push(r))
  await until(() => oldOpens.length === 1, 'old open')
  assert.deepEqual(Object.keys(oldOpens[0]), ['header'], 'profile arrives with base library 2.10.4')
})

test('§7.4 text frames arrive as string, binary frames as ArrayBuffer (not Buffer, Blob or TypedArray)', async (t) => {
  const server = await startServer({ echo: false, onConnection: (ws) => { ws.send('text'); ws.send(Buffer.from([1, 2, 3]), { binary: true }) } })
  const mp = wx()
  t.after(async () => { mp.dispose(); await server.stop() })
  const got: unknown[] = []
  mp.api.connectSocket({ url: server.url }).onMessage((m) => got.push(m.data))
  await until(() => got.length === 2, 'two frames')
  assert.equal(got[0], 'text')
  assert.ok(got[1] instanceof ArrayBuffer)
  assert.equal(Buffer.isBuffer(got[1]), false)
  assert.deepEqual([...new Uint8Array(got[1] as ArrayBuffer)], [1, 2, 3])
})

test('§7.15 url validation: parameter error text; release needs wss and a whitelisted host; develop allows ws:// and any host', async (t) => {
  const server = await startServer()
  const local = server.url.replace('ws://', 'wss://')
  const release = wx({ env: 'release', domains: ['example.com'], route: (u) => server.url + new URL(u).pathname })
  const develop = wx()
  t.after(async () => { release.dispose(); develop.dispose(); await server.stop() })
  const fails: string[] = []
  const fail = (r: { errMsg: string }) => fails.push(r.errMsg)
  const noUrl = release.api.connectSocket({ fail } as any)
  release.api.connectSocket({ url: 42, fail } as any)
  release.api.connectSocket({ url: 'ws://example.com', fail })
  release.api.connectSocket({ url: 'wss://other.com', fail })
  release.api.connectSocket({ url: local, fail })
  await flush()
  assert.deepEqual(fails, [
    'connectSocket:fail parameter error: parameter.url should be String instead of Undefined;',
    'connectSocket:fail parameter error: parameter.url should be String instead of Number;',
    'connectSocket:fail url not in domain list',
    'connectSocket:fail url not in domain list',
    'connectSocket:fail url not in domain list',
  ])
  assert.equal(noUrl.readyState, 3, 'a failed task exists and is CLOSED')

  let opened = 0
  release.api.connectSocket({ url: 'wss://example.com:8443/path' }).onOpen(() => opened++)
  develop.api.connectSocket({ url: server.url }).onOpen(() => opened++)
  await until(() => opened === 2, 'whitelisted wss (any port) and develop ws:// both open')
})

test('§7.15 flag domainError: error-event reports on the task, both reports twice', async (t) => {
  for (const domainError of ['error-event', 'both'] as const) {
    const mp = wx({ env: 'release', domains: ['example.com'], flags: { domainError } })
    t.after(() => mp.dispose())
    const log: string[] = []
    const task = mp.api.connectSocket({ url: 'wss://other.com', success: () => log.push('success'), fail: (r) => log.push(r.errMsg) })
    task.onError((r) => log.push(`onError ${r.errMsg}`))
    await flush()
    const expected = domainError === 'both'
      ? ['connectSocket:fail url not in domain list', 'onError createSocketTask:fail url not in domain list']
      : ['success', 'onError createSocketTask:fail url not in domain list']
    assert.deepEqual(log, expected, domainError)
    assert.equal(task.readyState, 3)
  }
})

test('§7.16 a Referer in header is replaced by https://servicewechat.com/{appid}/{version}/page-frame.html; other headers pass', async (t) => {
  const server = await startServer()
  const dev = wx({ appId: 'wx123' })
  const rel = wx({ appId: 'wx123', appVersion: '7', env: 'release', domains: ['example.com'], route: (u) => u.replace('wss://example.com', server.url) })
  const tt = createMiniProgram({ platform: 'tt', clock: new FakeClock() })
  t.after(async () => { dev.dispose(); rel.dispose(); tt.dispose(); await server.stop() })
  dev.api.connectSocket({ url: server.url, header: { Referer: 'https://evil.example', 'X-Token': 'abc' } })
  await until(() => server.requests.length === 1, 'dev handshake')
  rel.api.connectSocket({ url: 'wss://example.com', header: { referer: 'https://evil.example' } })
  await until(() => server.requests.length === 2, 'release handshake')
  tt.api.connectSocket({ url: server.url, header: { Referer: 'https://evil.example' } })
  await until(() => server.requests.length === 3, 'tt handshake')
  assert.equal(server.requests[0]?.headers['referer'], 'https://servicewechat.com/wx123/devtools/page-frame.html')
  assert.equal(server.requests[0]?.headers['x-token'], 'abc')
  assert.equal(server.requests[1]?.headers['referer'], 'https://servicewechat.com/wx123/7/page-frame.html')
  assert.equal(server.requests[2]?.headers['referer'], undefined, 'Douyin forbids setting it too')
})

/** A TCP server that accepts and never answers the handshake. */
async function silentServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const sockets: Socket[] = []
  const srv = createServer((s) => { sockets.push(s) })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  return { url: `ws://127.0.0.1:${port}`, stop: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); srv.close(() => r()) }) }
}

test('§7.17 timeout chain: option timeout, then networkTimeout.connectSocket, then 60 s; a timeout is an error event and the task is CLOSED', async (t) => {
  const silent = await silentServer()
  t.after(() => silent.stop())
  const cases: Array<{ name: string; opts: Partial<MiniProgramOptions>; timeout?: number; expect: number }> = [
    { name: 'option wins', opts: { networkTimeout: { connectSocket: 5000 } }, timeout: 2000, expect: 2000 },
    { name: 'app config next', opts: { networkTimeout: { connectSocket: 5000 } }, expect: 5000 },
    { name: 'default 60 s', opts: {}, expect: 60_000 },
    { name: 'option ignored before 2.10.0', opts: { baseLibraryVersion: '2.9.0' }, timeout: 2000, expect: 60_000 },
    { name: 'Alipay default 30 s', opts: { platform: 'my' } as Partial<MiniProgramOptions>, expect: 30_000 },
  ]
  for (const c of cases) {
    const clock = new FakeClock()
    const mp = createMiniProgram({ platform: 'wx', clock, ...c.opts } as MiniProgramOptions)
    t.after(() => mp.dispose())
    const log: string[] = []
    if (mp.platform === 'my') {
      const task = (mp.api as any).connectSocket({ url: silent.url, multiple: true })
      task.onError((r: any) => log.push(`error ${r.errorMessage}`))
      task.onClose(() => log.push('close'))
    } else {
      const task = (mp.api as any).connectSocket({ url: silent.url, ...(c.timeout ? { timeout: c.timeout } : {}) })
      task.onError((r: any) => log.push(`error ${r.errMsg}`))
      task.onClose((r: any) => log.push(`close ${r.code}`))
      await flush()
      clock.advance(c.expect - 1)
      assert.deepEqual(log, [], `${c.name}: not yet`)
      clock.advance(1)
      assert.deepEqual(log, ['error createSocketTask:fail timeout', 'close 1006'], c.name)
      assert.equal(task.readyState, 3)
      continue
    }
    await flush()
    clock.advance(c.expect - 1)
    assert.deepEqual(log, [], `${c.name}: not yet`)
    clock.advance(1)
    assert.deepEqual(log, ['error 连接服务器超时', 'close'], c.name)
  }
})

test('§7.18 readyState 0→1→2→3 with constants; 1 no later than onOpen delivery', async (t) => {
  const server = await startServer()
  const mp = wx()
  t.after(async () => { mp.dispose(); await server.stop() })
  const task = mp.api.connectSocket({ url: server.url })
  assert.deepEqual([task.CONNECTING, task.OPEN, task.CLOSING, task.CLOSED], [0, 1, 2, 3])
  assert.equal(task.readyState, 0)
  const seen: number[] = []
  task.onOpen(() => { seen.push(task.readyState); task.close({}); seen.push(task.readyState) })
  task.onClose(() => seen.push(task.readyState))
  await until(() => seen.length === 3, 'open and close')
  assert.deepEqual(seen, [1, 2, 3])
})

test('§7.18 flag readyStateLagMs: readyState stays 0 after onOpen until the lag passes', async (t) => {
  const server = await startServer()
  const clock = new FakeClock()
  const mp = createMiniProgram({ platform: 'wx', clock, flags: { readyStateLagMs: 6000 } })
  t.after(async () => { mp.dispose(); await server.stop() })
  const task = mp.api.connectSocket({ url: server.url })
  const atOpen: number[] = []
  task.onOpen(() => atOpen.push(task.readyState))
  await until(() => atOpen.length === 1, 'open')
  assert.deepEqual(atOpen, [0])
  clock.advance(5999)
  assert.equal(task.readyState, 0)
  clock.advance(1)
  assert.equal(task.readyState, 1)
})
