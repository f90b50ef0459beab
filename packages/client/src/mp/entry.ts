/**
 * The three functions every mini-program entry exports, bound to its platform: each entry
 * (`@minisocket/client/wx`, `/uni`, ...) is then only its adapter and how to find its global.
 */
import type { Client } from '../core/types.js'
import { closePlatformAppClient, getPlatformAppClient } from './app-client.js'
import { createPlatformClient, type MpClientOptions, type MpPlatform } from './create.js'
import type { MpApi } from './platform.js'

export interface PlatformEntry {
  /** A new client for this platform (not connected). Prefer `getAppClient` in pages: one connection per app. */
  createClient(options: MpClientOptions): Client
  /** This app's one client, created and connected on first use; every page gets the same one. */
  getAppClient(options: MpClientOptions): Client
  /** Closes this app's client and unregisters its hooks; the next getAppClient starts a new one. */
  closeAppClient(api?: MpApi): void
}

export function platformEntry(platform: MpPlatform): PlatformEntry {
  return {
    createClient: (options) => createPlatformClient(platform, options).client,
    getAppClient: (options) => getPlatformAppClient(platform, options),
    closeAppClient: (api) => closePlatformAppClient(platform, api),
  }
}
