/**
 * What the client reads from a mini-program's platform object (`wx`, `uni`, `my`, `tt`, `swan`,
 * `qq`, `Taro`) besides `connectSocket`: app show/hide, network status, sync storage. Members a
 * platform lacks are simply not used (e.g. no `offAppHide` on an old base library).
 */
import type { Lifecycle, SyncStorage } from '../core/adapter.js'
import type { SocketTaskApi } from '../adapters/wx.js'

/** A network status or getNetworkType result: WeChat `{isConnected, networkType}`, Alipay `{networkAvailable, networkType}`. */
export interface NetworkResult {
  isConnected?: boolean
  networkAvailable?: boolean
  networkType?: string
}

// `unknown`, not `never`: TypeScript checks callback parameters strictly (not bivariantly), so every
// platform's own listener type must be assignable to ours.
type Fn = (result: unknown) => void

/** The platform object, structurally: every platform's own object satisfies it. */
export interface MpApi extends SocketTaskApi {
  onAppShow?(fn: Fn): void
  offAppShow?(fn: Fn): void
  onAppHide?(fn: Fn): void
  offAppHide?(fn: Fn): void
  onNetworkStatusChange?(fn: (result: NetworkResult) => void): void
  offNetworkStatusChange?(fn: (result: NetworkResult) => void): void
  getNetworkType?(option: { success(result: NetworkResult): void; fail(): void }): unknown
  getStorageSync?(key: never): unknown
  setStorageSync?(key: never, data?: never): void
  removeStorageSync?(key: never): void
}

/** `none` (WeChat family) and `NOTREACHABLE` (Alipay) mean offline; so does an explicit false. */
export function isOnline(r: NetworkResult | undefined): boolean {
  return !(r?.isConnected === false || r?.networkAvailable === false || r?.networkType === 'none' || r?.networkType === 'NOTREACHABLE')
}

/** A Lifecycle over the platform's hooks, plus `dispose()` that unregisters everything it registered. */
export interface PlatformLifecycle extends Lifecycle {
  dispose(): void
}

/**
 * Hide → suspend, show → resume, network none → stop retrying (research/platform-api.md §2.9).
 * The starting network comes from `getNetworkType`, so a client created offline waits for the
 * network instead of burning retries; a status change heard first wins over that first answer.
 */
export function platformLifecycle(api: MpApi): PlatformLifecycle {
  const undo: Array<() => void> = []
  const registered = (off: () => void): (() => void) => {
    undo.push(off)
    return off
  }
  const call = (fn: () => unknown): void => {
    try {
      const result = fn()
      // Taro's APIs always return a Promise; a rejection here is ours to absorb.
      if (typeof (result as Promise<unknown> | undefined)?.then === 'function') (result as Promise<unknown>).then(undefined, () => {})
    } catch {
      // a platform without the hook, or one that throws: the client works without it
    }
  }
  return {
    onHide(fn) {
      call(() => api.onAppHide?.(fn))
      return registered(() => call(() => api.offAppHide?.(fn)))
    },
    onShow(fn) {
      call(() => api.onAppShow?.(fn))
      return registered(() => call(() => api.offAppShow?.(fn)))
    },
    onNetwork(fn) {
      let heard = false
      const listener = (r: NetworkResult): void => {
        heard = true
        fn(isOnline(r))
      }
      call(() => api.onNetworkStatusChange?.(listener))
      call(() => api.getNetworkType?.({ success: (r) => !heard && !isOnline(r) && fn(false), fail: () => {} }))
      return registered(() => call(() => api.offNetworkStatusChange?.(listener)))
    },
    dispose() {
      for (const off of undo.splice(0)) off()
    },
  }
}

type StorageCall = (arg: unknown, data?: unknown) => unknown

/**
 * The platform's synchronous storage as the outbox's SyncStorage. WeChat-style platforms take
 * `(key, data)` and return '' for a missing key; Alipay takes `({key, data})` and returns
 * `{data}` (research §2.3). Only strings are stored, so anything else reads as missing.
 */
export function platformStorage(api: MpApi, style: 'wx' | 'my'): SyncStorage {
  const get = api.getStorageSync as StorageCall | undefined
  const set = api.setStorageSync as StorageCall | undefined
  const remove = api.removeStorageSync as StorageCall | undefined
  if (!get || !set || !remove) throw new TypeError('minisocket: this platform object has no getStorageSync/setStorageSync/removeStorageSync')
  if (style === 'my') {
    return {
      getItem: (key) => {
        const r = get.call(api, { key }) as { data?: unknown } | undefined
        return typeof r?.data === 'string' ? r.data : null
      },
      setItem: (key, data) => void set.call(api, { key, data }),
      removeItem: (key) => void remove.call(api, { key }),
    }
  }
  return {
    getItem: (key) => {
      const v = get.call(api, key)
      return typeof v === 'string' ? v : null
    },
    setItem: (key, data) => void set.call(api, key, data),
    removeItem: (key) => void remove.call(api, key),
  }
}
