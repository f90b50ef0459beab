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
import type { Client } from '../core/types.js'
import { closePlatformAppClient, getPlatformAppClient } from '../mp/app-client.js'
import { createPlatformClient, type MpClientOptions, type MpPlatform } from '../mp/create.js'
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

/** A new client for this platform (not connected). Prefer `getAppClient` in pages: one connection per app. */
export function createClient(options: MpClientOptions): Client {
  return createPlatformClient(platform, options).client
}

/** This app's one client, created and connected on first use; every page gets the same one. */
export function getAppClient(options: MpClientOptions): Client {
  return getPlatformAppClient(platform, options)
}

/** Closes this app's client and unregisters its hooks; the next getAppClient starts a new one. */
export function closeAppClient(api?: MpApi): void {
  closePlatformAppClient(platform, api)
}
