/**
 * Baidu entry: createClient pre-bound to the swan adapter, the real timers, swan's sync storage
 * for the durable outbox, and its app show/hide and network hooks. `api` defaults to
 * the global `swan`, read when the function is called; tests pass an emulator's `mp.api`.
 *
 * @example
 * import { createClient, getAppClient, scopedPage } from '@minisocket/client/swan'
 * const client = getAppClient({ url: 'wss://example.com/ws' }) // one client per app, connected
 * client.subscribe('news', { publication: (p) => console.log(p.data) })
 * @see https://smartprogram.baidu.com/docs/develop/api/net/swan-connectSocket/
 */
import { swanAdapter } from '../adapters/swan.js'
import type { MpPlatform } from '../mp/create.js'
import { platformEntry } from '../mp/entry.js'
import type { MpApi } from '../mp/platform.js'

export * from '../index.js'
export * from '../mp/index.js'
export { swanAdapter }

declare const swan: MpApi | undefined

const platform: MpPlatform = {
  name: 'swan',
  adapter: swanAdapter,
  storage: 'wx',
  // A free identifier, not globalThis.swan: the platform injects it as a global variable.
  global: () => (typeof swan === 'undefined' ? undefined : swan),
}

export const { createClient, getAppClient, closeAppClient } = /* @__PURE__ */ platformEntry(platform)
