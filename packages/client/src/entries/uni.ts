/**
 * uni-app entry: createClient pre-bound to the uni adapter, the real timers, uni's sync storage
 * for the durable outbox, and its app show/hide and network hooks. `api` defaults to
 * the global `uni`, read when the function is called; tests pass an emulator's `mp.api`.
 *
 * @example
 * import { createClient, getAppClient, scopedPage } from '@minisocket/client/uni'
 * const client = getAppClient({ url: 'wss://example.com/ws' }) // one client per app, connected
 * client.subscribe('news', { publication: (p) => console.log(p.data) })
 * @see https://uniapp.dcloud.net.cn/api/request/websocket.html
 */
import { uniAdapter } from '../adapters/uni.js'
import type { MpPlatform } from '../mp/create.js'
import { platformEntry } from '../mp/entry.js'
import type { MpApi } from '../mp/platform.js'

export * from '../index.js'
export * from '../mp/index.js'
export { uniAdapter }

declare const uni: MpApi | undefined

const platform: MpPlatform = {
  name: 'uni',
  adapter: uniAdapter,
  storage: 'wx',
  // A free identifier, not globalThis.uni: the platform injects it as a global variable.
  global: () => (typeof uni === 'undefined' ? undefined : uni),
}

export const { createClient, getAppClient, closeAppClient } = /* @__PURE__ */ platformEntry(platform)
