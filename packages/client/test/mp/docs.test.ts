/**
 * The examples of docs/client-mini-programs.md: the doc contains each file of test/mp/examples
 * verbatim, and each runs here unmodified — against the emulator and a real server.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { closeAppClient } from '../../src/entries/wx.js'
import { runRoomPage } from './examples/page-test.js'
import { ticker } from './examples/ticker-component.js'
import { emulate, startServer, until } from './helpers.js'

const doc = readFileSync(new URL('../../../../docs/client-mini-programs.md', import.meta.url), 'utf8')
const NAMESPACES = [{ match: 'chat:*', historySize: 100 }, { match: 'ticker:*', historySize: 10 }]

for (const file of ['chat-room.ts', 'ticker-component.ts', 'page-test.ts']) {
  test(`docs/client-mini-programs.md contains examples/${file} verbatim`, () => {
    const code = readFileSync(new URL(`./examples/${file}`, import.meta.url), 'utf8').trim()
    assert.ok(doc.includes(code), `docs/client-mini-programs.md is missing the current text of test/mp/examples/${file}`)
  })
}

test('chat-room + page-test examples: the page receives the server message and its own, over one socket', async () => {
  const server = await startServer({ namespaces: NAMESPACES })
  try {
    const result = await runRoomPage(server.port, (channel, text) => server.publish(channel, text))
    assert.deepEqual(result, { messages: ['hello from the server', 'hello from the page'], sockets: 1 })
  } finally {
    await server.close({ drainMs: 0 })
  }
})

test('ticker-component example: attached subscribes, a publication sets the price, detached unsubscribes', async () => {
  const server = await startServer({ namespaces: NAMESPACES })
  const mp = emulate('wx', { route: (url) => url.replace('wss://chat.example.com', `ws://127.0.0.1:${server.port}`) })
  const uninstall = mp.install(globalThis)
  try {
    const component = { ...ticker, data: { ...ticker.data }, setData(patch: object) { Object.assign(this.data, patch) } }
    ticker.lifetimes.attached.call(component as never)
    await until('subscribed', () => server.stats().subscriptions === 1)
    await server.publish('ticker:BTC', { price: 42 })
    await until('price', () => component.data.price === 42)
    ticker.lifetimes.detached.call(component as never)
    await until('unsubscribed', () => server.stats().subscriptions === 0)
  } finally {
    closeAppClient()
    uninstall()
    mp.dispose()
    await server.close({ drainMs: 0 })
  }
})
