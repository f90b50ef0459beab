/**
 * The WeChat and uni-app pages' logic, run under the emulator (@minisocket/mp) against the demo
 * server: the chat page receives another user's message and its own reaches them; the stock page
 * receives ticks; hide/show (suspend, then resume with recovery) keeps both pages consistent.
 * Each runs twice per platform: through the platform entry (`@minisocket/client/wx`, `/uni`;
 * skipped with a printed reason while that entry does not exist) and through the platform adapter
 * with the core client, which is what the entry binds.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import WebSocket from 'ws'
import { createClient as createNodeClient, type Client, type PresenceMember } from '@minisocket/client/node'
import { createMiniProgram, type MiniProgram } from '@minisocket/mp'
import { waitFor } from '@minisocket/testkit'
import { startDemo, type Demo } from '../src/server.js'
import { adapterFactory, entryFactory, loadExample, runApp, vuePage, wxPage, type AppInstance, type ClientFactory, type MpPlatform, type VueOptions } from './helpers/mp.js'

type AppOptionsFactory = (o: { createClient: ClientFactory; api: unknown; url: string; platform?: string }) => AppInstance
interface ChatView { id: string; nick: string; text: string; status: string; mine: boolean }

let demo: Demo
before(async () => {
  demo = await startDemo({ port: 0, host: '127.0.0.1', tickMs: 100, resumeWindowMs: 10_000 })
})
after(async () => {
  await demo?.close({ drainMs: 500 })
})

/** The other user: a Node client in the same room. */
async function otherUser(room: string, nick: string): Promise<{ client: Client; seen: string[] }> {
  const client = createNodeClient({ url: demo.urls.ws, WebSocket, info: { nick } })
  const seen: string[] = []
  client.subscribe(`chat:${room}`, { publication: (p) => seen.push((p.data as { text: string }).text) })
  client.connect()
  await waitFor(() => client.subscription(`chat:${room}`)?.state === 'subscribed', { timeoutMs: 5000, message: `${nick} subscribed` })
  return { client, seen }
}

const say = (client: Client, room: string, nick: string, text: string) =>
  client.publish(`chat:${room}`, { id: `${nick}-${text}`, nick, text, at: Date.now() })

async function appFor(platform: MpPlatform, createClient: ClientFactory, mp: MiniProgram): Promise<AppInstance> {
  const dir = platform === 'wx' ? 'wechat-miniprogram/lib' : 'uniapp/common'
  const { createAppOptions } = await loadExample<{ createAppOptions: AppOptionsFactory }>(`${dir}/app-options.js`)
  return runApp(createAppOptions({ createClient, api: mp.api, url: demo.urls.ws, platform }))
}

/** Opens the chat page of `platform` and returns a uniform view of its data. */
async function openChat(platform: MpPlatform, app: AppInstance, room: string) {
  if (platform === 'wx') {
    const { createChatPage } = await loadExample<{ createChatPage: (getApp: () => AppInstance) => { data: Record<string, unknown> } }>('wechat-miniprogram/pages/chat/logic.js')
    const page = wxPage(createChatPage(() => app) as never) as unknown as { data: Record<string, unknown>; onLoad(q: object): void; onUnload(): void; onInput(e: object): void; onSend(): void }
    page.onLoad({ room })
    return {
      get: (key: string) => page.data[key],
      type: (text: string) => {
        page.onInput({ detail: { value: text } })
        page.onSend()
      },
      unload: () => page.onUnload(),
    }
  }
  const { createChatPage } = await loadExample<{ createChatPage: (getApp: () => AppInstance) => VueOptions }>('uniapp/pages/chat/logic.js')
  const vm = vuePage(createChatPage(() => app))
  vm.onLoad({ room })
  return {
    get: (key: string) => vm[key],
    type: (text: string) => {
      ;(vm.onInput as (e: object) => void)({ detail: { value: text } })
      ;(vm.onSend as () => void)()
    },
    unload: () => vm.onUnload(),
  }
}

async function openStock(platform: MpPlatform, app: AppInstance, symbol: string) {
  if (platform === 'wx') {
    const { createStockPage } = await loadExample<{ createStockPage: (getApp: () => AppInstance, api: unknown) => { data: Record<string, unknown> } }>('wechat-miniprogram/pages/stock/logic.js')
    const page = wxPage(createStockPage(() => app, undefined) as never) as unknown as { data: Record<string, unknown>; stock: { candles: Array<{ time: number }> }; onLoad(q: object): void; onUnload(): void }
    page.onLoad({ symbol })
    return { get: (key: string) => page.data[key], candles: () => page.stock.candles, unload: () => page.onUnload() }
  }
  const { createStockPage } = await loadExample<{ createStockPage: (getApp: () => AppInstance, api: unknown) => VueOptions }>('uniapp/pages/stock/logic.js')
  const vm = vuePage(createStockPage(() => app, undefined))
  vm.onLoad({ symbol })
  return { get: (key: string) => vm[key], candles: () => (vm.candles as () => Array<{ time: number }>)(), unload: () => vm.onUnload() }
}

const texts = (messages: unknown): string[] => (messages as ChatView[]).map((m) => m.text)

async function chatScenario(platform: MpPlatform, createClient: ClientFactory, mp: MiniProgram, room: string): Promise<void> {
  const app = await appFor(platform, createClient, mp)
  const bob = await otherUser(room, 'bob')
  const page = await openChat(platform, app, room)
  try {
    const me = app.globalData.nick
    await waitFor(() => page.get('connection') === 'Connected' && (page.get('members') as Array<{ nick: string }>).some((m) => m.nick === 'bob'), { timeoutMs: 8000, message: 'page connected and sees bob' })

    await say(bob.client, room, 'bob', 'hi from bob')
    await waitFor(() => texts(page.get('messages')).includes('hi from bob'), { timeoutMs: 5000, message: 'page received bob' })
    page.type(`hi from ${platform}`)
    await waitFor(() => bob.seen.includes(`hi from ${platform}`), { timeoutMs: 5000, message: 'bob received the page' })
    await waitFor(() => (page.get('messages') as ChatView[]).every((m) => m.status === 'sent'), { timeoutMs: 5000, message: 'own message acked' })

    // Hidden: the client suspends (close 4008); the server keeps the session and shows it away.
    mp.hide()
    await waitFor(() => app.globalData.client.state === 'suspended', { timeoutMs: 5000, message: 'client suspended on hide' })
    await waitFor(async () => (await bob.client.presence(`chat:${room}`)).some((m: PresenceMember) => (m.info as { nick?: string })?.nick === me && m.state === 'away'), { timeoutMs: 5000, message: 'hidden user shown away' })
    await say(bob.client, room, 'bob', 'while hidden 1')
    await say(bob.client, room, 'bob', 'while hidden 2')
    assert.ok(!texts(page.get('messages')).includes('while hidden 1'), 'a suspended page receives nothing')

    // Shown: resume at once, recover the gap; the page equals the room's history, each message once.
    mp.show()
    await waitFor(() => texts(page.get('messages')).includes('while hidden 2'), { timeoutMs: 8000, message: 'missed messages recovered after show' })
    const history = await demo.server.history(`chat:${room}`)
    assert.deepEqual(texts(page.get('messages')), history.publications.map((p) => (p.data as { text: string }).text))
    assert.equal(page.get('connection'), 'Connected')
  } finally {
    page.unload()
    bob.client.close()
    app.globalData.client.close()
  }
}

async function stockScenario(platform: MpPlatform, createClient: ClientFactory, mp: MiniProgram): Promise<void> {
  const app = await appFor(platform, createClient, mp)
  const page = await openStock(platform, app, 'ACME')
  try {
    await waitFor(() => (page.get('symbols') as unknown[]).length === demo.market.symbols.length, { timeoutMs: 8000, message: 'symbol list' })
    await waitFor(() => page.candles().length > 0, { timeoutMs: 5000, message: 'candles loaded' })
    const firstPrice = page.get('price')
    await waitFor(() => (page.get('ticks') as number) >= 5 && page.get('price') !== firstPrice, { timeoutMs: 5000, message: 'ticks arrive and move the price' })
    assert.equal(page.get('symbol'), 'ACME')

    mp.hide()
    await waitFor(() => app.globalData.client.state === 'suspended', { timeoutMs: 5000, message: 'client suspended on hide' })
    const ticksHidden = page.get('ticks') as number
    mp.show()
    await waitFor(() => (page.get('ticks') as number) >= ticksHidden + 5, { timeoutMs: 8000, message: 'ticks resume after show' })
    const times = page.candles().map((c) => c.time)
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'bars in time order')
    assert.equal(new Set(times).size, times.length, 'no bar twice')
  } finally {
    page.unload()
    app.globalData.client.close()
  }
}

for (const platform of ['wx', 'uni'] as const) {
  describe(`${platform} pages`, () => {
    for (const via of ['entry', 'adapter'] as const) {
      const label = via === 'entry' ? `@minisocket/client/${platform}` : `${platform}Adapter + core client`
      for (const [name, scenario] of [['chat: receives another user, hide/show stays consistent', chatScenario], ['stock: receives ticks across hide/show', stockScenario]] as const) {
        test(`${name} (${label})`, { timeout: 60_000 }, async (t) => {
          const mp = createMiniProgram({ platform, env: 'develop', backgroundCutMs: 200 })
          try {
            const factory = via === 'entry' ? await entryFactory(platform, mp) : await adapterFactory(platform, mp)
            if (typeof factory === 'string') {
              console.log(`# skipped: ${factory}`)
              t.skip(factory)
              return
            }
            const room = `mp-${platform}-${via}-${Date.now().toString(36)}`
            if (scenario === chatScenario) await chatScenario(platform, factory, mp, room)
            else await stockScenario(platform, factory, mp)
          } finally {
            mp.dispose()
          }
        })
      }
    }
  })
}
