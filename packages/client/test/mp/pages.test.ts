/**
 * The socket budget and page-scoped subscriptions, on the emulator against the real server:
 * any number of pages share the app's one client (one socket), and a page's handlers leave with
 * the page. Pages are driven the way the platform drives them: the options object passed to
 * Page()/Component() is copied into each instance, whose hooks are called with `this` = instance.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { closeAppClient, getAppClient, scopedComponent, scopedPage } from '../../src/entries/wx.js'
import { closeAppClient as closeUniAppClient, getAppClient as getUniAppClient } from '../../src/entries/uni.js'
import type { PublicationEvent } from '../../src/index.js'
import { emulate, sleep, startServer, until } from './helpers.js'

type Instance = Record<string, unknown> & { realtime?: unknown }
const NAMESPACES = [{ match: 'room:*', historySize: 100 }]

/** What the platform does on navigateTo: a fresh instance of the page options. */
function load(options: object, query: Record<string, string> = {}): Instance {
  const page = { ...options } as Instance
  ;(page['onLoad'] as (q: Record<string, string>) => void).call(page, query)
  return page
}
const unload = (page: Instance): void => (page['onUnload'] as () => void).call(page)

test('ten entries of a page: one socket, one subscription, one handler — the last page only', async () => {
  const server = await startServer({ namespaces: NAMESPACES })
  const mp = emulate('wx')
  const calls: number[] = []
  let entry = 0
  const options = scopedPage(() => getAppClient({ url: server.url, api: mp.api }), {
    onLoad(this: Instance & { realtime: { subscribe(c: string, h: object): unknown } }) {
      const mine = ++entry
      this.realtime.subscribe('room:1', { publication: () => calls.push(mine) })
    },
  })
  try {
    const pages: Instance[] = []
    for (let i = 0; i < 10; i++) {
      pages.push(load(options))
      if (i < 9) unload(pages[i]!)
    }
    const client = getAppClient({ url: server.url, api: mp.api })
    await until('subscribed', () => client.subscription('room:1')?.state === 'subscribed')
    await server.publish('room:1', { text: 'hello' })
    await until('delivered', () => calls.length > 0)
    await sleep(30) // a second handler would fire here
    assert.deepEqual(calls, [10], 'exactly one handler: the tenth page')
    assert.equal(mp.createdSockets, 1, 'one socket for the whole app')
    assert.equal(mp.liveSockets, 1)
    assert.equal(server.stats().subscriptions, 1)

    unload(pages[9]!)
    assert.equal(client.subscription('room:1'), undefined, 'the last page out unsubscribed the channel')
    await until('the server dropped the subscription', () => server.stats().subscriptions === 0)
    assert.equal(client.state, 'connected', 'the app client outlives its pages')
  } finally {
    closeAppClient(mp.api)
    mp.dispose()
    await server.close({ drainMs: 0 })
  }
})

test('two live pages on one channel share its subscription; one leaving keeps the other subscribed', async () => {
  const server = await startServer({ namespaces: NAMESPACES })
  const mp = emulate('wx')
  const got: Record<string, string[]> = { a: [], b: [] }
  const options = scopedPage(() => getAppClient({ url: server.url, api: mp.api }), {
    onLoad(this: Instance & { realtime: { subscribe(c: string, h: object): unknown } }, query: unknown) {
      const { who } = query as { who: string }
      this.realtime.subscribe('room:2', { publication: (p: PublicationEvent) => got[who]!.push(String(p.data)) })
    },
  })
  try {
    const a = load(options, { who: 'a' })
    const b = load(options, { who: 'b' }) // navigateTo the same page: both instances live
    const client = getAppClient({ url: server.url, api: mp.api })
    await until('subscribed', () => client.subscription('room:2')?.state === 'subscribed')
    await server.publish('room:2', 'one')
    await until('both', () => got['a']!.length === 1 && got['b']!.length === 1)
    unload(b)
    await server.publish('room:2', 'two')
    await until('a', () => got['a']!.length === 2)
    await sleep(20)
    assert.deepEqual(got, { a: ['one', 'two'], b: ['one'] })
    assert.equal(client.subscription('room:2')?.state, 'subscribed')
    unload(a)
    assert.equal(client.subscription('room:2'), undefined)
  } finally {
    closeAppClient(mp.api)
    mp.dispose()
    await server.close({ drainMs: 0 })
  }
})

test('a component: subscribed from attached to detached; its own lifetimes and top-level hooks still run, even when they throw', async () => {
  const server = await startServer({ namespaces: NAMESPACES })
  const mp = emulate('wx')
  const hooks: string[] = []
  const options = scopedComponent(() => getAppClient({ url: server.url, api: mp.api }), {
    lifetimes: {
      attached(this: Instance & { realtime: { subscribe(c: string): unknown } }) {
        hooks.push('attached')
        this.realtime.subscribe('room:3')
      },
    },
    detached() {
      hooks.push('detached')
      throw new Error('a page hook that throws')
    },
  })
  try {
    const lifetimes = (options as { lifetimes: Record<string, () => void> }).lifetimes
    const component = { ...options } as Instance
    lifetimes['attached']!.call(component)
    const client = getAppClient({ url: server.url, api: mp.api })
    assert.ok(client.subscription('room:3'))
    assert.throws(() => lifetimes['detached']!.call(component), /throws/)
    assert.deepEqual(hooks, ['attached', 'detached'])
    assert.equal(client.subscription('room:3'), undefined, 'detached even though the hook threw')
  } finally {
    closeAppClient(mp.api)
    mp.dispose()
    await server.close({ drainMs: 0 })
  }
})

test('getAppClient: one client per app object, a clear error for a second url, a fresh client after closeAppClient', async () => {
  const server = await startServer()
  const one = emulate('wx')
  const two = emulate('wx')
  const uniApp = emulate('uni')
  try {
    const a = getAppClient({ url: server.url, api: one.api })
    assert.equal(getAppClient({ url: server.url, api: one.api }), a)
    assert.notEqual(getAppClient({ url: server.url, api: two.api }), a, 'another app (api object), another client')
    assert.throws(() => getAppClient({ url: `${server.url}?other`, api: one.api }), /already uses/)
    assert.throws(() => getAppClient({ url: server.url }), /no `wx` platform object here; pass `api`/)
    const u = getUniAppClient({ url: server.url, api: uniApp.api })
    await until('three connected', () => [a, u].every((c) => c.state === 'connected') && server.stats().connections === 3)
    closeAppClient(one.api)
    assert.equal(a.state, 'closed')
    const b = getAppClient({ url: server.url, api: one.api })
    assert.notEqual(b, a)
    await until('the new one connected', () => b.state === 'connected')
    assert.equal(one.createdSockets, 2)
    b.close()
    assert.equal(getAppClient({ url: server.url, api: one.api }), b, 'a closed app client is connected again, not replaced')
    assert.equal(b.state, 'connecting')
  } finally {
    closeAppClient(one.api)
    closeAppClient(two.api)
    closeUniAppClient(uniApp.api)
    for (const mp of [one, two, uniApp]) mp.dispose()
    await server.close({ drainMs: 0 })
  }
})
