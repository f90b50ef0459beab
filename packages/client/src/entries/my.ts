/**
 * Alipay entry: createClient pre-bound to the my adapter, the real timers, my's sync storage
 * for the durable outbox, and its app show/hide and network hooks. `api` defaults to
 * the global `my`, read when the function is called; tests pass an emulator's `mp.api`.
 *
 * @example
 * import { createClient, getAppClient, scopedPage } from '@minisocket/client/my'
 * const client = getAppClient({ url: 'wss://example.com/ws' }) // one client per app, connected
 * client.subscribe('news', { publication: (p) => console.log(p.data) })
 * @see https://opendocs.alipay.com/mini/api/vx19c3
 */
import { myAdapter } from '../adapters/my.js'
import type { MpPlatform } from '../mp/create.js'
import { platformEntry } from '../mp/entry.js'
import type { MpApi } from '../mp/platform.js'

export * from '../index.js'
export * from '../mp/index.js'
export { myAdapter }

declare const my: MpApi | undefined

const platform: MpPlatform = {
  name: 'my',
  adapter: myAdapter,
  storage: 'my',
  // A free identifier, not globalThis.my: the platform injects it as a global variable.
  global: () => (typeof my === 'undefined' ? undefined : my),
}

export const { createClient, getAppClient, closeAppClient } = /* @__PURE__ */ platformEntry(platform)
