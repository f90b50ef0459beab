/**
 * Platform quirks the adapters convert, beyond the shared contract: close code and reason
 * limits, Taro's task-after-Promise with an early close, uni-app's Promise-instead-of-task, and
 * platforms that throw or return nothing from connectSocket.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { WebSocketServer } from 'ws'
import type { AddressInfo } from 'node:net'
import { clampReason } from '../../src/adapters/socket-task.js'
import { taroAdapter } from '../../src/adapters/taro.js'
import { uniAdapter } from '../../src/adapters/uni.js'
import { wxAdapter } from '../../src/adapters/wx.js'
import type { SocketHandlers } from '../../src/core/adapter.js'
import { adapterFor, emulate, sleep, until } from './helpers.js'

let wss: WebSocketServer
let url = ''
const closes: Array<{ code: number; reason: string }> = []
before(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => wss.once('listening', resolve))
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`
  wss.on('connection', (ws) => ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() })))
})
after(() => new Promise<void>((resolve) => wss.close(() => resolve())))

function recorder() {
  const events: string[] = []
  const handlers: SocketHandlers = {
    onOpen: () => events.push('open'),
    onMessage: (d) => events.push(`message ${String(d)}`),
    onClose: (code, reason) => events.push(`close ${code} ${reason}`),
    onError: () => events.push('error'),
  }
  return { events, handlers }
}

const utf8 = (s: string): number => new TextEncoder().encode(s).length

test('clampReason: at most 123 UTF-8 bytes, never a split character', () => {
  assert.equal(clampReason('ok'), 'ok')
  assert.equal(utf8(clampReason('x'.repeat(200))), 123)
  const cjk = clampReason('你'.repeat(60)) // 3 bytes each
  assert.equal(cjk, '你'.repeat(41))
  const emoji = clampReason('🎉'.repeat(40)) // 4 bytes each, surrogate pairs
  assert.equal(emoji, '🎉'.repeat(30))
  assert.equal(utf8(emoji), 120)
})

for (const platform of ['wx', 'my', 'tt', 'taro'] as const) {
  test(`${platform}: a long reason is clamped and an invalid code becomes 1000, so the platform does not refuse the close`, async () => {
    const mp = emulate(platform) // validateCloseReason: true — an unclamped reason would fail the close
    try {
      for (const [code, reason] of [[4008, '你'.repeat(60)], [1001, 'going away']] as const) {
        const r = recorder()
        const before = closes.length
        const socket = adapterFor(mp).open(url, {}, r.handlers)
        await until('open', () => r.events.includes('open'))
        socket.close(code, reason)
        await until('server saw the close', () => closes.length === before + 1)
        assert.deepEqual(closes.at(-1), code === 4008 ? { code, reason: '你'.repeat(41) } : { code: 1000, reason })
      }
    } finally {
      mp.dispose()
    }
  })
}

test('taro: close() before the Promise gave the task closes the task as soon as it exists; nothing opens', async () => {
  const mp = emulate('taro')
  try {
    const r = recorder()
    const socket = taroAdapter(mp.api).open(url, {}, r.handlers)
    socket.close(4008, 'early')
    socket.send('dropped, never thrown')
    await until('the task was closed', () => mp.createdSockets === 1 && mp.liveSockets === 0)
    await sleep(30)
    assert.ok(!r.events.includes('open'), r.events.join())
  } finally {
    mp.dispose()
  }
})

test('uni: a connectSocket that returns a Promise of the success result (no task) is reported, not thrown', async () => {
  const r = recorder()
  const api = { connectSocket: () => Promise.resolve({ errMsg: 'connectSocket:ok', socketTaskId: 1 }) }
  uniAdapter(api).open(url, {}, r.handlers)
  await until('reported', () => r.events.length >= 2)
  assert.deepEqual(r.events, ['error', 'close 1006 connectSocket:ok'])
})

test('a connectSocket that throws or returns nothing is reported asynchronously (open() never throws)', async () => {
  for (const connectSocket of [() => { throw new Error('boom') }, () => undefined]) {
    const r = recorder()
    wxAdapter({ connectSocket }).open(url, {}, r.handlers)
    assert.deepEqual(r.events, [], 'nothing inside open()')
    await until('reported', () => r.events.length >= 2)
    assert.equal(r.events[0], 'error')
    assert.match(r.events[1]!, /^close 1006 /)
  }
})

test('uni: connectSocket is always called with a callback (so uni-app returns the task) and multiple: true (its Alipay target)', () => {
  let seen: Record<string, unknown> = {}
  uniAdapter({ connectSocket: (o) => ((seen = o as unknown as Record<string, unknown>), undefined) }).open(url, { protocols: ['p'] }, recorder().handlers)
  assert.equal(typeof seen['fail'], 'function')
  assert.equal(typeof seen['complete'], 'function')
  assert.equal(seen['multiple'], true)
  assert.deepEqual(seen['protocols'], ['p'])
})
