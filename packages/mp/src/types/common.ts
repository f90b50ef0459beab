/**
 * Public types shared by the platform shapes. They are written to be assignable to the official
 * typings (miniprogram-api-typings, @dcloudio/types) — packages/mp/test/types.test.ts checks it —
 * without depending on them at runtime.
 */
import type { AppHideResult, AppShowResult } from '../core/lifecycle.js'
import type { NetworkType } from '../options.js'

export type { AppHideResult, AppShowResult }

/** `{ errMsg: 'api:ok' | 'api:fail …' }`, the result of every WeChat-style call. */
export interface GeneralResult {
  errMsg: string
}

export interface Callbacks<S = GeneralResult, F = GeneralResult> {
  success?: (result: S) => void
  fail?: (result: F) => void
  complete?: (result: S | F) => void
}

/**
 * WeChat's rule (lib `index.d.ts` PromisifySuccessResult): a Promise of the success result when
 * the option has none of success/fail/complete, otherwise nothing.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- `any` here must match the official
   declaration token for token: TypeScript relates two conditional types only when their
   `extends` clauses are identical, and `unknown` is not identical to `any`. */
export type PromisifySuccessResult<P, R, Else = void> = P extends { success: any }
  ? Else
  : P extends { fail: any }
    ? Else
    : P extends { complete: any }
      ? Else
      : Promise<R>
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface SocketProfile {
  fetchStart: number
  domainLookUpStart: number
  domainLookUpEnd: number
  connectStart: number
  connectEnd: number
  rtt: number
  handshakeCost: number
  cost: number
}

export interface NetworkStatusResult {
  isConnected: boolean
  networkType: NetworkType
}

export interface GetNetworkTypeResult extends GeneralResult {
  networkType: NetworkType
  signalStrength: number
  hasSystemProxy: boolean
  /** Weak-network flag (base library 3.5.3); the emulator reports false. */
  weakNet: boolean
}

/** onAppShow/onAppHide, identical on every platform. `off*` need the same function object. */
export interface LifecycleApi {
  onAppShow(listener: (result: AppShowResult) => void): void
  /** Any function: only its identity matters. */
  offAppShow(listener?: (result: never) => void): void
  onAppHide(listener: (result: AppHideResult) => void): void
  offAppHide(listener?: (result: never) => void): void
}

/** WeChat-shaped sync and async storage (wx, uni, tt, swan, qq; Taro's are always-Promise). */
export interface WxStorageApi {
  setStorageSync(key: string, data: unknown): void
  /** Returns `''` for a missing key, as WeChat does (typed `T` like the official declaration). */
  getStorageSync<T = unknown>(key: string): T
  removeStorageSync(key: string): void
  clearStorageSync(): void
  getStorageInfoSync(): { keys: string[]; currentSize: number; limitSize: number }
  setStorage<T extends { key: string; data: unknown } & Callbacks>(option: T): PromisifySuccessResult<T, GeneralResult>
  getStorage<T extends { key: string } & Callbacks<GeneralResult & { data: unknown }>>(option: T): PromisifySuccessResult<T, GeneralResult & { data: unknown }>
  removeStorage<T extends { key: string } & Callbacks>(option: T): PromisifySuccessResult<T, GeneralResult>
  clearStorage<T extends Callbacks>(option?: T): PromisifySuccessResult<T, GeneralResult>
}

export interface WxNetworkApi {
  onNetworkStatusChange(listener: (result: NetworkStatusResult) => void): void
  /** No argument removes every listener. */
  offNetworkStatusChange(listener?: (result: never) => void): void
  getNetworkType<T extends Callbacks<GetNetworkTypeResult>>(option?: T): PromisifySuccessResult<T, GetNetworkTypeResult>
}
