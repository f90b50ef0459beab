/**
 * Taro: `connectSocket` always returns `Promise<SocketTask>`, and every other async API always
 * returns a Promise (its `processApis` promisifies them), callbacks or not.
 */
import type { AppShowResult, Callbacks, GeneralResult, GetNetworkTypeResult, LifecycleApi, NetworkStatusResult } from './common.js'
import type { ConnectSocketSuccess, MessageResult, CloseResult, SocketCloseOption, SocketSendOption, WxConnectSocketOption, WxSocketTask } from './wx.js'

export type { AppShowResult }

/** The task, with the success result copied onto it once the promise resolves. */
export interface TaroSocketTask extends WxSocketTask {
  readonly socketTaskId: number
  readonly errMsg: string
}

export interface TaroApi extends LifecycleApi {
  connectSocket(option: WxConnectSocketOption): Promise<TaroSocketTask>
  onSocketOpen(listener: (result: { header: Record<string, string> }) => void): void
  onSocketMessage(listener: (result: MessageResult) => void): void
  onSocketClose(listener: (result: CloseResult) => void): void
  onSocketError(listener: (result: GeneralResult) => void): void
  sendSocketMessage(option: SocketSendOption): Promise<GeneralResult>
  closeSocket(option?: SocketCloseOption): Promise<GeneralResult>
  onNetworkStatusChange(listener: (result: NetworkStatusResult) => void): void
  offNetworkStatusChange(listener?: (result: never) => void): void
  getNetworkType(option?: Callbacks<GetNetworkTypeResult>): Promise<GetNetworkTypeResult>
  setStorageSync(key: string, data: unknown): void
  /** `''` for a missing key. */
  getStorageSync<T = unknown>(key: string): T
  removeStorageSync(key: string): void
  clearStorageSync(): void
  getStorageInfoSync(): { keys: string[]; currentSize: number; limitSize: number }
  setStorage(option: { key: string; data: unknown } & Callbacks): Promise<GeneralResult>
  getStorage<T = unknown>(option: { key: string } & Callbacks<GeneralResult & { data: T }>): Promise<GeneralResult & { data: T }>
  removeStorage(option: { key: string } & Callbacks): Promise<GeneralResult>
  clearStorage(option?: Callbacks): Promise<GeneralResult>
}

export type { ConnectSocketSuccess }
