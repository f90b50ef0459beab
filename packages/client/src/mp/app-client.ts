/**
 * The app-level client: every page and component of one app shares one client, hence one
 * connection (the socket budget: 5 per app on most platforms, research/platform-api.md §5, and
 * leaked page sockets are the classic way to exhaust it, §6.8). Clients are kept per platform
 * object in a WeakMap — per app, never in a module-level socket variable.
 */
import type { Client } from '../core/types.js'
import { createPlatformClient, resolveApi, type MpClientOptions, type MpPlatform } from './create.js'
import type { MpApi } from './platform.js'

interface AppEntry {
  client: Client
  url: string
  dispose(): void
}

const apps = new WeakMap<MpApi, AppEntry>()

/**
 * Returns this app's client, creating and connecting it on the first call; later calls (from any
 * page) return the same client, connecting it again if it was closed. Options other than `api`
 * and `url` are only read on the first call.
 * Throws TypeError when called with a different `url` than the client was created with.
 */
export function getPlatformAppClient(platform: MpPlatform, options: MpClientOptions): Client {
  const api = resolveApi(platform, options.api)
  let entry = apps.get(api)
  if (entry && entry.url !== options.url) {
    throw new TypeError(`minisocket: this app's client already uses ${entry.url}; call closeAppClient() first, or createClient() for a second server`)
  }
  if (!entry) {
    const made = createPlatformClient(platform, { ...options, api })
    entry = { client: made.client, url: options.url, dispose: made.dispose }
    apps.set(api, entry)
  }
  if (entry.client.state === 'closed') entry.client.connect()
  return entry.client
}

/** Closes this app's client (code 1000), unregisters its app and network hooks, and forgets it. */
export function closePlatformAppClient(platform: MpPlatform, api?: MpApi): void {
  const key = resolveApi(platform, api)
  const entry = apps.get(key)
  if (!entry) return
  apps.delete(key)
  entry.client.close()
  entry.dispose()
}
