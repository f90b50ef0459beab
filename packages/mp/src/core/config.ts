/**
 * Options with every default filled in, computed once per emulator instance.
 */
import type { Clock } from '../clock.js'
import { systemClock } from '../clock.js'
import { BACKGROUND_CUT_MS, MY_DEFAULT_TIMEOUT_MS, WX_DEFAULT_TIMEOUT_MS, defaultSocketLimit } from '../limits.js'
import type { Env, MiniProgramFlags, MiniProgramOptions, NetworkType, Platform, SocketLimit } from '../options.js'
import { DEFAULT_FLAGS } from '../options.js'

export interface Config {
  platform: Platform
  env: Env
  domains: readonly string[]
  version: string
  appId: string
  appVersion: string
  appConnectTimeout: number | undefined
  platformTimeout: number
  limit: SocketLimit
  backgroundCutMs: number
  network: NetworkType
  clock: Clock
  route: (url: string) => string
  flags: MiniProgramFlags
  onUncaughtError: (error: unknown) => void
}

const PLATFORMS: readonly Platform[] = ['wx', 'uni', 'my', 'tt', 'swan', 'qq', 'taro']

export function resolveConfig(options: MiniProgramOptions): Config {
  if (typeof options !== 'object' || options === null || !PLATFORMS.includes(options.platform)) {
    throw new TypeError(`createMiniProgram: platform must be one of ${PLATFORMS.join(', ')}`)
  }
  const env = options.env ?? 'develop'
  if (env !== 'develop' && env !== 'release') throw new TypeError(`createMiniProgram: env must be 'develop' or 'release'`)
  const version = options.baseLibraryVersion ?? '3.4.0'
  const limit = options.socketLimit ?? defaultSocketLimit(options.platform, version)
  if (!Number.isInteger(limit.max) || limit.max < 1) throw new TypeError('createMiniProgram: socketLimit.max must be a positive integer')
  const cut = options.backgroundCutMs ?? BACKGROUND_CUT_MS
  if (!(cut >= 0)) throw new TypeError('createMiniProgram: backgroundCutMs must be >= 0')
  return {
    platform: options.platform,
    env,
    domains: options.domains ?? [],
    version,
    appId: options.appId ?? 'touristappid',
    appVersion: options.appVersion ?? '1',
    appConnectTimeout: options.networkTimeout?.connectSocket,
    platformTimeout: options.platform === 'my' ? MY_DEFAULT_TIMEOUT_MS : WX_DEFAULT_TIMEOUT_MS,
    limit,
    backgroundCutMs: cut,
    network: options.network ?? 'wifi',
    clock: options.clock ?? systemClock,
    route: options.route ?? ((url) => url),
    flags: { ...DEFAULT_FLAGS, ...options.flags },
    onUncaughtError: options.onUncaughtError ?? ((error) => console.error('[minisocket/mp] error thrown by a user callback:', error)),
  }
}
