/**
 * `createMiniProgram` without a default transport: the entries (index.ts for Node, browser.ts)
 * supply one, so this file and everything it imports stays free of Node built-ins.
 */
import { resolveConfig } from './core/config.js'
import type { AppState } from './core/lifecycle.js'
import { Runtime } from './core/runtime.js'
import type { MiniProgramOptions, NetworkType, Platform } from './options.js'
import { GLOBAL_NAMES } from './options.js'
import { createMyApi } from './platforms/my.js'
import { createTaroApi } from './platforms/taro.js'
import { createUniApi } from './platforms/uni.js'
import { createWxFamilyApi } from './platforms/wx.js'
import type { StorageBackend } from './storage-backend.js'
import { createMemoryStorage } from './storage-backend.js'
import { Store } from './storage.js'
import type { Transport } from './transport/types.js'
import type { MyApi } from './types/my.js'
import type { TaroApi } from './types/taro.js'
import type { UniApi } from './types/uni.js'
import type { QqApi, SwanApi, TtApi, WxApi } from './types/wx.js'

/** The API object each platform gets. */
export interface PlatformApis {
  wx: WxApi
  qq: QqApi
  swan: SwanApi
  tt: TtApi
  uni: UniApi
  my: MyApi
  taro: TaroApi
}

/** One emulated app: the platform API plus the controls a test drives. */
export interface MiniProgram<P extends Platform = Platform> {
  readonly platform: P
  /** The platform-shaped object: what `wx`, `uni`, `my`, `tt`, `swan`, `qq` or `Taro` is on a device. */
  readonly api: PlatformApis[P]
  /** `'wx'`, `'uni'`, ..., `'Taro'`: the global `install()` sets. */
  readonly globalName: string
  readonly appState: AppState
  readonly networkType: NetworkType
  /** Sockets not yet CLOSED: each holds one of the platform's slots. */
  readonly liveSockets: number
  /** Sockets created so far (task ids handed out). */
  readonly createdSockets: number
  readonly storage: StorageBackend
  /** The app goes to the background: `onAppHide` now; after `backgroundCutMs` sockets are cut and network calls fail. */
  hide(): void
  /** Back to the foreground: `onAppShow`; network calls work again (cut sockets stay closed). */
  show(): void
  /** Changes the network; `'none'` drops every socket with `{1006, 'abnormal closure'}`. */
  setNetwork(type: NetworkType): void
  /** Sets `target[globalName] = api` (default `globalThis`); returns a function that restores the old value. */
  install(target?: object): () => void
  /** Kills the app: sockets dropped without events, timers cleared, installs undone; later calls fail "runtime invalidated". */
  dispose(): void
}

export function createMiniProgramWith<P extends Platform>(options: MiniProgramOptions & { platform: P }, transport: Transport): MiniProgram<P> {
  const config = resolveConfig(options)
  const rt = new Runtime(config, options.transport ?? transport)
  const backend = options.storage ?? createMemoryStorage()
  const store = new Store(backend)
  const api = buildApi(config.platform, rt, store) as PlatformApis[P]
  const globalName = GLOBAL_NAMES[config.platform]
  const uninstalls: Array<() => void> = []
  return {
    platform: options.platform,
    api,
    globalName,
    get appState() { return rt.lifecycle.current },
    get networkType() { return rt.network.current },
    get liveSockets() { return rt.liveCount },
    get createdSockets() { return rt.createdCount },
    storage: backend,
    hide: () => { if (!rt.isDisposed) rt.lifecycle.hide() },
    show: () => { if (!rt.isDisposed) rt.lifecycle.show() },
    setNetwork: (type) => { if (!rt.isDisposed) rt.setNetwork(type) },
    install(target: object = globalThis) {
      const record = target as Record<string, unknown>
      const had = Object.prototype.hasOwnProperty.call(record, globalName)
      const previous = record[globalName]
      record[globalName] = api
      let done = false
      const uninstall = () => {
        if (done) return
        done = true
        if (had) record[globalName] = previous
        else delete record[globalName]
      }
      uninstalls.push(uninstall)
      return uninstall
    },
    dispose() {
      rt.dispose()
      for (const u of uninstalls.splice(0)) u()
    },
  }
}

function buildApi(platform: Platform, rt: Runtime, store: Store): PlatformApis[Platform] {
  switch (platform) {
    case 'uni': return createUniApi(rt, store)
    case 'my': return createMyApi(rt, store)
    case 'taro': return createTaroApi(rt, store)
    default: return createWxFamilyApi(rt, store, platform)
  }
}
