import type { Clock } from './clock.js'
import type { StorageBackend } from './storage-backend.js'
import type { Transport } from './transport/types.js'

/** The platforms the emulator can impersonate; the global each one installs is in `GLOBAL_NAMES`. */
export type Platform = 'wx' | 'uni' | 'my' | 'tt' | 'swan' | 'qq' | 'taro'

/** The global variable name a platform's API lives under on a real device. */
export const GLOBAL_NAMES = {
  wx: 'wx', uni: 'uni', my: 'my', tt: 'tt', swan: 'swan', qq: 'qq', taro: 'Taro',
} as const satisfies Record<Platform, string>

/**
 * `develop` behaves like the devtools with "不校验合法域名" ticked: `ws://` and any host are allowed.
 * `release` is an online build: `wss://` only, host must be in `domains`, no IP or localhost.
 */
export type Env = 'develop' | 'release'

/** Values accepted by `mp.setNetwork()`, in WeChat's spelling (`getNetworkType().networkType`). */
export type NetworkType = 'none' | 'wifi' | '2g' | '3g' | '4g' | '5g' | 'unknown'

/**
 * Switches for the behaviours research/platform-api.md §7 marks as uncertain. Each default is the
 * WeChat-documented (or best-evidenced) behaviour; docs/mini-programs.md explains every flag.
 */
export interface MiniProgramFlags {
  /** §7.6: errMsg for `send` on a task after it closed. Default `'taskID not exist'` (native table, DEC). */
  sendAfterClose: 'taskID not exist' | 'not connected'
  /** §7.7: reject close reasons over 123 UTF-8 bytes. Default `true` (the native WebSocket library rejects them). */
  validateCloseReason: boolean
  /** §7.10: after a task's `onError`, deliver `onClose {1006}` (default) or suppress it (old Android, DEC). */
  closeAfterError: 'deliver' | 'suppress'
  /** §7.15: a release-mode domain failure goes to `connectSocket` `fail` (default), the task's `onError`, or both. */
  domainError: 'fail' | 'error-event' | 'both'
  /** §7.18: `readyState` stays 0 for this many ms after `onOpen` (OBS: "readyState 持续6秒内还是0"). Default 0. */
  readyStateLagMs: number
  /** §7.19: `code` of the background close: 0 (default, DEC/OBS) or 1000 (also observed). */
  backgroundCloseCode: 0 | 1000
  /** §7.19: task `onClose` on the background cut: `'deliver'` (default) or `'suppress'` (iOS 8.0.48 report). */
  backgroundTaskClose: 'deliver' | 'suppress'
  /** §7.20: global `closeSocket` before `onSocketOpen`: `'ignored'` (documented, default) or `'closes'`. */
  closeBeforeOpen: 'ignored' | 'closes'
  /** §7.23: Alipay second `connectSocket` without `multiple`: `'error'` (code 2, newer docs, default) or `'replace'`. */
  alipaySingleSocket: 'error' | 'replace'
  /** §7.24: type of Douyin's `onClose` `code`: `'string'` (default, the typings' `string | number`) or `'number'`. */
  douyinCloseCode: 'string' | 'number'
  /** §7.21: uni-app promise style: `'vue3'` (plain promise, default) or `'vue2'` (`[err, res]`). */
  uniPromise: 'vue3' | 'vue2'
  /** §7.22: Taro runtime: `'weapp'` (mini-program, default) or `'h5'` (Taro's browser re-implementation). */
  taroRuntime: 'weapp' | 'h5'
}

export const DEFAULT_FLAGS: MiniProgramFlags = {
  sendAfterClose: 'taskID not exist',
  validateCloseReason: true,
  closeAfterError: 'deliver',
  domainError: 'fail',
  readyStateLagMs: 0,
  backgroundCloseCode: 0,
  backgroundTaskClose: 'deliver',
  closeBeforeOpen: 'ignored',
  alipaySingleSocket: 'error',
  douyinCloseCode: 'string',
  uniPromise: 'vue3',
  taroRuntime: 'weapp',
}

/** What happens when a connect would exceed `max` live sockets. */
export interface SocketLimit {
  /** Live (not yet CLOSED) sockets allowed at once. */
  max: number
  /** `'error'`: the new task fails with "exceed max concurrent count"; `'replace'`: the oldest live socket is closed (legacy single-socket mode). */
  whenFull: 'error' | 'replace'
}

export interface MiniProgramOptions {
  platform: Platform
  /** Default `'develop'`. */
  env?: Env
  /** The "socket 合法域名" whitelist checked in `release` (exact host; Alipay: the host or any subdomain). */
  domains?: readonly string[]
  /** Base library version; gates version-dependent behaviour. Default `'3.4.0'`. */
  baseLibraryVersion?: string
  /** App id used in the Referer (`https://servicewechat.com/{appId}/{version}/page-frame.html`). Default `'touristappid'`. */
  appId?: string
  /** The `{version}` of the Referer in `release` (develop uses `devtools`). Default `'1'`. */
  appVersion?: string
  /** app.json `networkTimeout`; `connectSocket` is the second step of the timeout chain. */
  networkTimeout?: { connectSocket?: number }
  /** Override the platform's socket limit (e.g. `{ max: 2, whenFull: 'error' }` for 2017–18 WeChat). */
  socketLimit?: SocketLimit
  /** How long after `hide()` the app is suspended and its sockets are cut. Default 5000 ms. */
  backgroundCutMs?: number
  /** Initial network. Default `'wifi'`. */
  network?: NetworkType
  /** Where sync/async storage lives; pass the same object to two instances to simulate a kill + restart. */
  storage?: StorageBackend
  /** Default: the real clock. */
  clock?: Clock
  /** Default: `ws` in the Node entry, `globalThis.WebSocket` in the browser entry. */
  transport?: Transport
  /**
   * Rewrites a URL after the platform checks, before dialing (like a hosts file), so release-mode
   * rules can be exercised against a local server: `(url) => url.replace('wss://example.com', 'ws://127.0.0.1:1234')`.
   */
  route?: (url: string) => string
  flags?: Partial<MiniProgramFlags>
  /** Called with errors thrown by user callbacks (WeChat routes them to App.onError). Default: `console.error`. */
  onUncaughtError?: (error: unknown) => void
}

/** Every option but `platform`: handy for helpers that take the platform separately. */
export type MiniProgramSettings = Omit<MiniProgramOptions, 'platform'>
