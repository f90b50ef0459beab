/**
 * Helpers for the mini-program tests: an emulated app per platform, the adapter for it, a real
 * minisocket server on 127.0.0.1 port 0, and bounded waits.
 */
import { createMiniProgram, type MiniProgram, type MiniProgramOptions, type Platform } from '@minisocket/mp'
import { createServer, type MiniServer, type ServerOptions } from '@minisocket/server'
import { waitFor } from '@minisocket/testkit'
import type { SocketAdapter } from '../../src/core/adapter.js'
import { myAdapter } from '../../src/adapters/my.js'
import { qqAdapter } from '../../src/adapters/qq.js'
import { swanAdapter } from '../../src/adapters/swan.js'
import { taroAdapter } from '../../src/adapters/taro.js'
import { ttAdapter } from '../../src/adapters/tt.js'
import { uniAdapter } from '../../src/adapters/uni.js'
import { wxAdapter } from '../../src/adapters/wx.js'
import type { SocketTaskApi } from '../../src/adapters/wx.js'

export const PLATFORMS = ['wx', 'uni', 'my', 'tt', 'swan', 'qq', 'taro'] as const satisfies readonly Platform[]

const adapters: Record<Platform, (api: SocketTaskApi) => SocketAdapter> = {
  wx: wxAdapter, uni: uniAdapter, my: myAdapter, tt: ttAdapter, swan: swanAdapter, qq: qqAdapter, taro: taroAdapter,
}

/** The platform's adapter over an emulated app's api object. */
export function adapterFor(mp: MiniProgram): SocketAdapter {
  return adapters[mp.platform](mp.api as unknown as SocketTaskApi)
}

/** Errors thrown inside platform callbacks (i.e. by the client): tests assert this stays empty. */
export const uncaughtErrors: unknown[] = []

/** An emulated app in `develop` (ws:// to 127.0.0.1 allowed); errors thrown by callbacks are recorded. */
export function emulate<P extends Platform>(platform: P, options: Partial<MiniProgramOptions> = {}): MiniProgram<P> {
  return createMiniProgram({
    env: 'develop',
    onUncaughtError: (error) => {
      uncaughtErrors.push(error)
    },
    ...options,
    platform,
  })
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export const until = (what: string, ok: () => boolean, timeoutMs = 5_000): Promise<true> =>
  waitFor(() => ok() || undefined, { timeoutMs, intervalMs: 5, message: what })

export async function startServer(options: ServerOptions = {}): Promise<MiniServer & { url: string }> {
  const server = createServer({ host: '127.0.0.1', port: 0, ...options })
  await server.listen()
  return Object.assign(server, { url: `ws://127.0.0.1:${server.port}/ws` })
}
