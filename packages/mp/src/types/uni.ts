/**
 * uni-app on WeChat (mp-weixin): WeChat's objects passed through, every async API promisified by
 * uni-app's own rule, and `connectSocket` returning the task only when a callback is given.
 */
import type { PromisifySuccessResult } from './common.js'
import type { ConnectSocketSuccess, WxApi, WxConnectSocketOption, WxSocketTask } from './wx.js'

export interface UniConnectSocketOption extends WxConnectSocketOption {
  /** Alipay only; ignored on WeChat. */
  multiple?: boolean
  /** WeChat only (legacy). */
  method?: 'OPTIONS' | 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'TRACE' | 'CONNECT'
}

export interface UniApi extends Omit<WxApi, 'connectSocket' | 'onSocketMessage'> {
  /** `T` only narrows `data` for the caller, as in uni-app's declaration; at runtime it is string or ArrayBuffer. */
  onSocketMessage<T = string | ArrayBuffer>(listener: (result: { data: T }) => void): void
  /**
   * With any of success/fail/complete: the SocketTask. Without: a Promise of the *success
   * result* `{errMsg, socketTaskId}`, never the task (§7.21; Vue 2 mode resolves `[err, res]`).
   */
  connectSocket<T extends UniConnectSocketOption = UniConnectSocketOption>(option: T): PromisifySuccessResult<T, ConnectSocketSuccess, WxSocketTask>
}
