/**
 * @minisocket/mp — a faithful emulation of the mini-program socket APIs (wx, uni, my, tt, swan,
 * qq, Taro) with app lifecycle, network and storage, for tests and demos in Node.
 * Sockets go through `ws` by default; `@minisocket/mp/browser` uses the global WebSocket instead.
 *
 * @example
 * import { createMiniProgram } from '@minisocket/mp'
 * const mp = createMiniProgram({ platform: 'wx', env: 'develop' })
 * const task = mp.api.connectSocket({ url: 'ws://127.0.0.1:8080' })
 * task.onOpen(() => task.send({ data: 'hello' }))
 */
import type { MiniProgram } from './create.js'
import { createMiniProgramWith } from './create.js'
import type { MiniProgramOptions, Platform } from './options.js'
import { createWsTransport } from './transport/ws-node.js'

export * from './public.js'
export { createWsTransport } from './transport/ws-node.js'
export { createBrowserTransport } from './transport/browser.js'

/** Creates one emulated app. See docs/mini-programs.md for options, flags and examples. */
export function createMiniProgram<P extends Platform>(options: MiniProgramOptions & { platform: P }): MiniProgram<P> {
  return createMiniProgramWith(options, options.transport ?? createWsTransport())
}
