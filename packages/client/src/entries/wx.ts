/**
 * WeChat entry: createClient pre-bound to the wx adapter, the real timers, wx's sync storage
 * for the durable outbox, and its app show/hide and network hooks. `api` defaults to
 * the global `wx`, read when the function is called; tests pass an emulator's `mp.api`.
 *
 * @example
 * import { createClient, getAppClient, scopedPage } from '@minisocket/client/wx'
 * const client = getAppClient({ url: 'wss://example.com/ws' }) // one client per app, connected
 * client.subscribe('news', { publication: (p) => console.log(p.data) })
 * @see https://developers.weixin.qq.com/miniprogram/dev/api/network/websocket/wx.connectSocket.html
 */
import { wxAdapter } from '../adapters/wx.js'
import type { MpPlatform } from '../mp/create.js'
import { platformEntry } from '../mp/entry.js'
import type { MpApi } from '../mp/platform.js'

export * from '../index.js'
export * from '../mp/index.js'
export { wxAdapter }

declare const wx: MpApi | undefined

const platform: MpPlatform = {
  name: 'wx',
  adapter: wxAdapter,
  storage: 'wx',
  // A free identifier, not globalThis.wx: the platform injects it as a global variable.
  global: () => (typeof wx === 'undefined' ? undefined : wx),
}

export const { createClient, getAppClient, closeAppClient } = /* @__PURE__ */ platformEntry(platform)
