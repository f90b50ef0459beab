/**
 * Douyin entry: createClient pre-bound to the tt adapter, the real timers, tt's sync storage
 * for the durable outbox, and its app show/hide and network hooks. `api` defaults to
 * the global `tt`, read when the function is called; tests pass an emulator's `mp.api`.
 *
 * @example
 * import { createClient, getAppClient, scopedPage } from '@minisocket/client/tt'
 * const client = getAppClient({ url: 'wss://example.com/ws' }) // one client per app, connected
 * client.subscribe('news', { publication: (p) => console.log(p.data) })
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/api/network/web-socket/tt-connect-socket
 */
import { ttAdapter } from '../adapters/tt.js'
import type { MpPlatform } from '../mp/create.js'
import { platformEntry } from '../mp/entry.js'
import type { MpApi } from '../mp/platform.js'

export * from '../index.js'
export * from '../mp/index.js'
export { ttAdapter }

declare const tt: MpApi | undefined

const platform: MpPlatform = {
  name: 'tt',
  adapter: ttAdapter,
  storage: 'wx',
  // A free identifier, not globalThis.tt: the platform injects it as a global variable.
  global: () => (typeof tt === 'undefined' ? undefined : tt),
}

export const { createClient, getAppClient, closeAppClient } = /* @__PURE__ */ platformEntry(platform)
