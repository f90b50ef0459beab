/**
 * Sync and async storage in the two shapes the platforms use: WeChat's `(key, data)` (wx, uni,
 * tt, swan, qq, Taro) and Alipay's `({key, data})`. Values are stored serialized, so a stored
 * object is a copy and survives into a second emulator instance over the same backend.
 * Limits (wx.setStorage doc): 1 MB per key, 10 MB in total.
 */
import type { AsyncCallbacks, Dispatcher, Outcome, PromiseMode } from './callbacks.js'
import { answer } from './callbacks.js'
import { errMsg } from './err-msg.js'
import { STORAGE_ITEM_MAX_BYTES, STORAGE_TOTAL_MAX_BYTES, utf8Length } from './limits.js'
import type { StorageBackend } from './storage-backend.js'

type StoreResult = { ok: true } | { ok: false; detail: string }

export class Store {
  constructor(private readonly backend: StorageBackend) {}

  set(key: string, data: unknown): StoreResult {
    if (data === undefined) return { ok: false, detail: 'parameter error: parameter.data should be Any instead of Undefined;' }
    let text: string
    try {
      text = JSON.stringify({ v: data })
    } catch {
      return { ok: false, detail: 'data cannot be serialized' }
    }
    const size = utf8Length(key) + utf8Length(text)
    if (size > STORAGE_ITEM_MAX_BYTES) return { ok: false, detail: 'exceed storage item max length' }
    const old = this.backend.getItem(key)
    const oldSize = old === null ? 0 : utf8Length(key) + utf8Length(old)
    if (this.totalBytes() - oldSize + size > STORAGE_TOTAL_MAX_BYTES) return { ok: false, detail: 'exceed storage max size 10MB' }
    this.backend.setItem(key, text)
    return { ok: true }
  }

  get(key: string): { found: true; data: unknown } | { found: false } {
    const text = this.backend.getItem(key)
    if (text === null) return { found: false }
    try {
      return { found: true, data: (JSON.parse(text) as { v: unknown }).v }
    } catch {
      return { found: false }
    }
  }

  remove(key: string): void { this.backend.removeItem(key) }
  clear(): void { this.backend.clear() }

  /** Sizes in KB, as wx.getStorageInfoSync reports them. */
  info(): { keys: string[]; currentSize: number; limitSize: number } {
    return { keys: this.backend.keys(), currentSize: Math.ceil(this.totalBytes() / 1024), limitSize: STORAGE_TOTAL_MAX_BYTES / 1024 }
  }

  private totalBytes(): number {
    let total = 0
    for (const key of this.backend.keys()) total += utf8Length(key) + utf8Length(this.backend.getItem(key) ?? '')
    return total
  }
}

type Ok = { errMsg: string }

/** WeChat-shaped storage members. Sync APIs throw `Error('<api>:fail ...')` as WeChat's do. */
export function wxStorageApi(store: Store, d: Dispatcher, mode: PromiseMode) {
  const checkKey = (api: string, key: unknown): string => {
    if (typeof key !== 'string') throw new Error(errMsg.parameter(api, 'key', 'String', key))
    return key
  }
  const keyError = (api: string, key: unknown): string | undefined =>
    typeof key === 'string' ? undefined : errMsg.parameter(api, 'key', 'String', key)
  return {
    setStorageSync(key: string, data: unknown): void {
      const r = store.set(checkKey('setStorageSync', key), data)
      if (!r.ok) throw new Error(`setStorageSync:fail ${r.detail}`)
    },
    getStorageSync<T = unknown>(key: string): T | '' {
      const r = store.get(checkKey('getStorageSync', key))
      return r.found ? (r.data as T) : ''
    },
    removeStorageSync(key: string): void { store.remove(checkKey('removeStorageSync', key)) },
    clearStorageSync(): void { store.clear() },
    getStorageInfoSync() { return store.info() },
    setStorage(option: { key: string; data: unknown } & AsyncCallbacks<Ok>) {
      const bad = keyError('setStorage', option?.key)
      const r = bad === undefined ? store.set(option.key, option.data) : { ok: false as const, detail: '' }
      const outcome = r.ok ? { ok: true as const, result: { errMsg: 'setStorage:ok' } }
        : { ok: false as const, result: { errMsg: bad ?? `setStorage:fail ${r.detail}` } }
      return answer(d, option, outcome, mode)
    },
    getStorage<T = unknown>(option: { key: string } & AsyncCallbacks<{ data: T; errMsg: string }, Ok>) {
      const bad = keyError('getStorage', option?.key)
      const r = bad === undefined ? store.get(option.key) : { found: false as const }
      const outcome: Outcome<{ data: T; errMsg: string }, Ok> = r.found ? { ok: true, result: { data: r.data as T, errMsg: 'getStorage:ok' } }
        : { ok: false, result: { errMsg: bad ?? 'getStorage:fail data not found' } }
      return answer(d, option, outcome, mode)
    },
    removeStorage(option: { key: string } & AsyncCallbacks<Ok>) {
      const bad = keyError('removeStorage', option?.key)
      if (bad === undefined) store.remove(option.key)
      return answer(d, option, bad === undefined ? { ok: true, result: { errMsg: 'removeStorage:ok' } } : { ok: false, result: { errMsg: bad } }, mode)
    },
    clearStorage(option?: AsyncCallbacks<Ok>) {
      store.clear()
      return answer(d, option, { ok: true, result: { errMsg: 'clearStorage:ok' } }, mode)
    },
  }
}

type MyFail = { error: number; errorMessage: string }

/** Alipay-shaped storage: every call takes an object; `getStorageSync` returns `{ data }` (null when absent). */
export function myStorageApi(store: Store, d: Dispatcher, mode: PromiseMode) {
  const fail = (detail: string): MyFail => ({ error: 2, errorMessage: detail })
  return {
    setStorageSync(option: { key: string; data: unknown }): void {
      const r = store.set(String(option?.key), option?.data)
      if (!r.ok) throw new Error(r.detail)
    },
    getStorageSync(option: { key: string }): { data: unknown } {
      const r = store.get(String(option?.key))
      return { data: r.found ? r.data : null }
    },
    removeStorageSync(option: { key: string }): void { store.remove(String(option?.key)) },
    clearStorageSync(): void { store.clear() },
    setStorage(option: { key: string; data: unknown } & AsyncCallbacks<{ success: true }, MyFail>) {
      const r = store.set(String(option?.key), option?.data)
      return answer<{ success: true }, MyFail>(d, option, r.ok ? { ok: true, result: { success: true } } : { ok: false, result: fail(r.detail) }, mode)
    },
    getStorage(option: { key: string } & AsyncCallbacks<{ data: unknown }, MyFail>) {
      const r = store.get(String(option?.key))
      return answer(d, option, { ok: true, result: { data: r.found ? r.data : null } }, mode)
    },
    removeStorage(option: { key: string } & AsyncCallbacks<{ success: true }, MyFail>) {
      store.remove(String(option?.key))
      return answer(d, option, { ok: true, result: { success: true } }, mode)
    },
    clearStorage(option?: AsyncCallbacks<{ success: true }, MyFail>) {
      store.clear()
      return answer(d, option, { ok: true, result: { success: true } }, mode)
    },
  }
}
