/**
 * A hand-written tutorial page (examples/tutorial-page/chat.js: the global socket API with a queue
 * of messages sent before wx.onSocketOpen) runs unmodified against the emulator and a plain `ws`
 * echo server. The page is evaluated as a mini-program evaluates it: a script with `wx` and
 * `Page` as globals. Its hard-coded `wss://chat.example.com` passes the release-mode domain check
 * and is routed to the local server, as a hosts-file entry would.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createMiniProgram } from '@minisocket/mp'
import { startServer, until } from './helpers.js'
import { loadPage } from './page-shim.js'

test('the tutorial page runs unmodified: messages sent before onSocketOpen are queued, then flushed in order', async (t) => {
  const server = await startServer()
  const mp = createMiniProgram({
    platform: 'wx',
    env: 'release',
    domains: ['chat.example.com'],
    clock: new FakeClock(),
    route: (url) => url.replace('wss://chat.example.com', server.url),
    onUncaughtError: (error) => { throw error },
  })
  t.after(async () => { mp.dispose(); await server.stop() })
  const globals: Record<string, unknown> = {}
  mp.install(globals)
  const page = loadPage(readFileSync(new URL('../examples/tutorial-page/chat.js', import.meta.url), 'utf8'), globals)

  page.onLoad()
  assert.equal(page.data.status, 'connecting')
  assert.equal(server.received.length, 0, 'nothing is sent before the socket opens')
  await until(() => page.data.messages.length === 2, 'queued messages echoed')
  assert.equal(page.data.status, 'open')
  assert.deepEqual(server.received.map((r) => r.data), ['hello', 'is anyone there?'])
  assert.deepEqual(page.data.messages, ['hello', 'is anyone there?'])

  page.onSend({ detail: { value: 'typed after open' } })
  await until(() => page.data.messages.length === 3, 'direct send echoed')
  assert.deepEqual(server.received.map((r) => r.data), ['hello', 'is anyone there?', 'typed after open'])

  page.onUnload()
  await until(() => page.data.status === 'closed', 'closed on unload')
  await until(() => server.closes.length === 1, 'server saw the close')
  assert.equal(server.closes[0]?.code, 1000)
  assert.equal(server.requests[0]?.headers['referer'], 'https://servicewechat.com/touristappid/1/page-frame.html')
})
