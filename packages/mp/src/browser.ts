/**
 * @minisocket/mp/browser — the same emulator for browser tests: sockets through the global
 * `WebSocket`, no Node built-in anywhere in this entry's import graph (checked by a test).
 * Browser limits: handshake headers (so the Referer rule) and response headers are not available.
 */
import type { MiniProgram } from './create.js'
import { createMiniProgramWith } from './create.js'
import type { MiniProgramOptions, Platform } from './options.js'
import { createBrowserTransport } from './transport/browser.js'

export * from './public.js'
export { createBrowserTransport } from './transport/browser.js'

/** Creates one emulated app whose sockets use `globalThis.WebSocket` (or `options.transport`). */
export function createMiniProgram<P extends Platform>(options: MiniProgramOptions & { platform: P }): MiniProgram<P> {
  return createMiniProgramWith(options, options.transport ?? createBrowserTransport())
}
