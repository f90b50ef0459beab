// chat.test.ts in your project: the emulator stands in for the `wx` your code calls.
import assert from 'node:assert/strict'
import { after, before, mock, test } from 'node:test'
import { WebSocketServer } from 'ws'
import { createMiniProgram, type WxApi } from '@minisocket/mp'

// The code under test uses the global, as mini-program code does.
declare const wx: WxApi
function openChat(url: string, onText: (text: string) => void) {
  const task = wx.connectSocket({ url })
  task.onMessage(({ data }) => onText(String(data)))
  return task
}

let server: WebSocketServer
let url = ''
before(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })))
  await new Promise((resolve) => server.once('listening', resolve))
  url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`
})
after(async () => {
  for (const ws of server.clients) ws.terminate()
  await new Promise((resolve) => server.close(resolve))
})

test('openChat receives the echo', async () => {
  const mp = createMiniProgram({ platform: 'wx' })
  mp.install(globalThis) // sets globalThis.wx; dispose() removes it
  try {
    const text = await new Promise<string>((resolve) => {
      const task = openChat(url, resolve)
      task.onOpen(() => task.send({ data: 'hi' }))
    })
    assert.equal(text, 'hi')
  } finally {
    mp.dispose()
  }
})

test('the socket is cut 5 s after the app is hidden', async () => {
  const mp = createMiniProgram({ platform: 'wx' })
  mp.install(globalThis)
  try {
    const task = openChat(url, () => {})
    await new Promise<void>((resolve) => task.onOpen(() => resolve()))
    const closed = new Promise((resolve) => task.onClose(resolve))
    // The default clock calls the global timers, so the runner's fake timers drive the emulator.
    mock.timers.enable({ apis: ['setTimeout'] })
    mp.hide()
    mock.timers.tick(5000)
    assert.deepEqual(await closed, { code: 0, reason: 'interrupted' })
  } finally {
    mock.timers.reset()
    mp.dispose()
  }
})
