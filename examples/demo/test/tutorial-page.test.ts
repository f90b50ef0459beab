/**
 * The hand-written tutorial page (packages/mp/examples/tutorial-page/chat.js: the old global
 * socket API and a queue for messages typed before wx.onSocketOpen) runs unmodified in two
 * emulated WeChat apps against the demo server's classic chat endpoint (/plain/chat): what one
 * page queued before its socket opened reaches both pages, once and in order.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { createMiniProgram, type MiniProgram } from '@minisocket/mp'
import { loadPage, type PageInstance } from '../../../packages/mp/test/page-shim.js'
import { startDemo } from '../src/server.js'
import { waitFor } from '@minisocket/testkit'

const source = readFileSync(new URL('../../../packages/mp/examples/tutorial-page/chat.js', import.meta.url), 'utf8')

const texts = (page: PageInstance): string[] =>
  page.data.messages.map((m) => JSON.parse(m) as { type: string; text?: string }).filter((m) => m.type === 'message').map((m) => m.text ?? '')

test('the tutorial page, unmodified, chats through the demo server\'s /plain/chat', { timeout: 30_000 }, async () => {
  const demo = await startDemo({ port: 0, host: '127.0.0.1' })
  const apps: MiniProgram[] = []
  try {
    const open = (): PageInstance => {
      // Release mode: the page's wss://chat.example.com passes the domain whitelist and is routed
      // to the demo, as a hosts-file entry would.
      const mp = createMiniProgram({ platform: 'wx', env: 'release', domains: ['chat.example.com'], route: () => demo.urls.plainChat, onUncaughtError: (e) => { throw e } })
      apps.push(mp)
      const globals: Record<string, unknown> = {}
      mp.install(globals)
      return loadPage(source, globals)
    }
    const listener = open()
    listener.onLoad() // queues its own two greetings too
    await waitFor(() => listener.data.status === 'open', { timeoutMs: 5000, message: 'first page open' })
    const writer = open()
    writer.onLoad()
    assert.equal(writer.data.status, 'connecting', 'the greetings are queued, not sent')
    await waitFor(() => texts(listener).length === 4, { timeoutMs: 5000, message: `the other page's queued greetings (${JSON.stringify(listener.data.messages)})` })
    writer.onSend({ detail: { value: 'typed after open' } })
    await waitFor(() => texts(listener).length === 5 && texts(writer).length === 3, { timeoutMs: 5000, message: 'the live message on both pages' })
    assert.deepEqual(texts(listener), ['hello', 'is anyone there?', 'hello', 'is anyone there?', 'typed after open'])
    assert.deepEqual(texts(writer), ['hello', 'is anyone there?', 'typed after open'])
    writer.onUnload()
    await waitFor(() => writer.data.status === 'closed', { timeoutMs: 5000, message: 'closed on unload' })
  } finally {
    for (const mp of apps) mp.dispose()
    await demo.close()
  }
})
