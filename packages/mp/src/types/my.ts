/**
 * Alipay (`my`): `{error, errorMessage}` failures, `{data: {...}}` envelopes on SocketTask
 * events, base64 + `isBuffer` for binary, `off*` everywhere, object-style storage.
 */
import type { AppShowResult, LifecycleApi } from './common.js'

export type { AppShowResult }

export interface MyFail {
  error: number
  errorMessage: string
}

export interface MyCallbacks<S> {
  success?: (result: S) => void
  fail?: (result: MyFail) => void
  complete?: (result: S | MyFail) => void
}

export interface MyConnectSocketOption extends MyCallbacks<{ socketTaskID: string }> {
  url: string
  /** Appended to the url as a query string. */
  data?: Record<string, unknown>
  header?: Record<string, string>
  /** `true`: return a SocketTask (up to 5); otherwise `undefined` and the global single-socket API. */
  multiple?: boolean
  protocols?: string[]
  /** ms, default 30000. */
  timeout?: number
}

export interface MySendOption extends MyCallbacks<{ success: true }> {
  /** Text, or base64 of the bytes with `isBuffer: true`. */
  data: string | ArrayBuffer
  isBuffer?: boolean
}

export interface MyCloseOption extends MyCallbacks<{ message: string }> {
  code?: number
  reason?: string
}

export interface MyTaskEnvelope<D> {
  data: D
}
export interface MyTaskMessage {
  socketTaskID: string
  /** base64 when `isBuffer` is true. */
  data: string
  isBuffer: boolean
}

type Cb<T> = (result: T) => void

export interface MySocketTask {
  send(option: MySendOption): void
  close(option?: MyCloseOption): void
  onOpen(cb: Cb<MyTaskEnvelope<{ socketTaskID: string }>>): void
  onMessage(cb: Cb<MyTaskEnvelope<MyTaskMessage>>): void
  onClose(cb: Cb<MyTaskEnvelope<{ socketTaskID: string; code: number; reason: string }>>): void
  onError(cb: Cb<MyTaskEnvelope<{ socketTaskID: string }> & MyFail>): void
  /** No argument removes every listener of the event. */
  offOpen(cb?: Cb<never>): void
  offMessage(cb?: Cb<never>): void
  offClose(cb?: Cb<never>): void
  offError(cb?: Cb<never>): void
}

export type MyNetworkType = 'UNKNOWN' | 'NOTREACHABLE' | 'WIFI' | '2G' | '3G' | '4G' | '5G'

export interface MyApi extends LifecycleApi {
  connectSocket(option: MyConnectSocketOption & { multiple: true }): MySocketTask
  connectSocket(option: MyConnectSocketOption): MySocketTask | undefined
  onSocketOpen(cb: () => void): void
  onSocketMessage(cb: Cb<{ data: string; isBuffer: boolean }>): void
  onSocketClose(cb: Cb<{ code: number; reason: string }>): void
  onSocketError(cb: Cb<MyFail>): void
  offSocketOpen(cb?: () => void): void
  offSocketMessage(cb?: Cb<never>): void
  offSocketClose(cb?: Cb<never>): void
  offSocketError(cb?: Cb<never>): void
  sendSocketMessage(option: MySendOption): Promise<{ success: true }> | undefined
  closeSocket(option?: MyCloseOption): Promise<{ message: string }> | undefined
  onNetworkStatusChange(cb: Cb<{ isConnected: boolean; networkType: MyNetworkType }>): void
  offNetworkStatusChange(cb?: Cb<never>): void
  getNetworkType(option?: MyCallbacks<{ networkType: MyNetworkType; networkAvailable: boolean }>): Promise<{ networkType: MyNetworkType; networkAvailable: boolean }> | undefined
  setStorageSync(option: { key: string; data: unknown }): void
  /** `{ data: null }` for a missing key. */
  getStorageSync(option: { key: string }): { data: unknown }
  removeStorageSync(option: { key: string }): void
  clearStorageSync(): void
  setStorage(option: { key: string; data: unknown } & MyCallbacks<{ success: true }>): Promise<{ success: true }> | undefined
  getStorage(option: { key: string } & MyCallbacks<{ data: unknown }>): Promise<{ data: unknown }> | undefined
  removeStorage(option: { key: string } & MyCallbacks<{ success: true }>): Promise<{ success: true }> | undefined
  clearStorage(option?: MyCallbacks<{ success: true }>): Promise<{ success: true }> | undefined
}
