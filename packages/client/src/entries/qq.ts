/**
 * QQ entry: createClient pre-bound to the qq adapter, the real timers, qq's sync storage
 * for the durable outbox, and its app show/hide and network hooks. `api` defaults to
 * the global `qq`, read when the function is called; tests pass an emulator's `mp.api`.
 *
 * @example
 * import { createClient, getAppClient, scopedPage } from '@minisocket/client/qq'
 * const client = getAppClient({ url: 'wss://example.com/ws' }) // one client per app, connected
 * client.subscribe('news', { publication: (p) => console.log(p.data) })
 * @see https://q.qq.com/wiki/develop/game/API/network/websocket.html
 */
import { qqAdapter } from '../adapters/qq.js'
import type { MpPlatform } from '../mp/create.js'
import { platformEntry } from '../mp/entry.js'
import type { MpApi } from '../mp/platform.js'

export * from '../index.js'
export * from '../mp/index.js'
export { qqAdapter }

declare const qq: MpApi | undefined

const platform: MpPlatform = {
  name: 'qq',
  adapter: qqAdapter,
  storage: 'wx',
  // A free identifier, not globalThis.qq: the platform injects it as a global variable.
  global: () => (typeof qq === 'undefined' ? undefined : qq),
}

export const { createClient, getAppClient, closeAppClient } = /* @__PURE__ */ platformEntry(platform)
