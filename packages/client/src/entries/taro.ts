/**
 * Taro entry: createClient pre-bound to the taro adapter, the real timers, Taro's sync storage
 * for the durable outbox, and its app show/hide and network hooks. `api` defaults to
 * `api: Taro` (Taro is imported, not a global; the global `Taro` is the fallback); tests pass an emulator's `mp.api`.
 *
 * @example
 * import Taro from '@tarojs/taro'
 * import { createClient, getAppClient } from '@minisocket/client/taro'
 * const client = getAppClient({ url: 'wss://example.com/ws', api: Taro }) // one client per app, connected
 * client.subscribe('news', { publication: (p) => console.log(p.data) })
 * @see https://docs.taro.zone/docs/apis/network/webSocket/connectSocket
 */
import { taroAdapter } from '../adapters/taro.js'
import type { MpPlatform } from '../mp/create.js'
import { platformEntry } from '../mp/entry.js'
import type { MpApi } from '../mp/platform.js'

export * from '../index.js'
export * from '../mp/index.js'
export { taroAdapter }

declare const Taro: MpApi | undefined

const platform: MpPlatform = {
  name: 'Taro',
  adapter: taroAdapter,
  storage: 'wx',
  // A free identifier, not globalThis.Taro: the platform injects it as a global variable.
  global: () => (typeof Taro === 'undefined' ? undefined : Taro),
}

export const { createClient, getAppClient, closeAppClient } = /* @__PURE__ */ platformEntry(platform)
