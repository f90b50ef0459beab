/**
 * Browser entry: createClient with the global WebSocket and the real timers.
 *
 * @example
 * import { createClient } from '@minisocket/client/browser'
 * const client = createClient({ url: 'wss://example.com/ws', token: async () => (await fetch('/token')).text() })
 * client.connect()
 */
import { browserAdapter } from '../adapters/browser.js'
import { createClient as createCore } from '../core/client.js'
import type { Client, ClientOptions } from '../core/types.js'
import { realClock } from './timers.js'

export * from '../index.js'
export { browserAdapter }

export type BrowserClientOptions = Omit<ClientOptions, 'adapter' | 'clock'> & Partial<Pick<ClientOptions, 'adapter' | 'clock'>>

export function createClient(options: BrowserClientOptions): Client {
  return createCore({ adapter: browserAdapter(), clock: realClock, ...options })
}
