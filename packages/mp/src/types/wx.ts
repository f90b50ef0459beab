/**
 * Public shapes of the WeChat-family APIs: wx, qq, swan, tt (and the uni/Taro ones built on them).
 */
import type { Callbacks, GeneralResult, LifecycleApi, PromisifySuccessResult, SocketProfile, WxNetworkApi, WxStorageApi } from './common.js'

export interface WxConnectSocketOption extends Callbacks<ConnectSocketSuccess> {
  url: string
  /** Handshake headers; a Referer here is replaced by the platform's own (§7.16). */
  header?: Record<string, unknown>
  /** A plain string is accepted too (uni-app doc). */
  protocols?: string[]
  tcpNoDelay?: boolean
  perMessageDeflate?: boolean
  /** ms; first step of the timeout chain (base library ≥ 2.10.0). */
  timeout?: number
  forceCellularNetwork?: boolean
}

/** `{errMsg: 'connectSocket:ok', socketTaskId}`; ids grow per app session and are never reused. */
export interface ConnectSocketSuccess extends GeneralResult {
  socketTaskId: number
}

export interface SocketSendOption extends Callbacks {
  /** string or ArrayBuffer only; TypedArrays fail as on a device (§6.10). */
  data: string | ArrayBuffer
}

export interface SocketCloseOption extends Callbacks {
  /** 1000 (default) or 3000–4999. */
  code?: number
  /** At most 123 UTF-8 bytes. */
  reason?: string
}

export interface WxOpenResult {
  /** Handshake response headers (base library ≥ 2.0.0). */
  header: Record<string, string>
  /** Timings (base library ≥ 2.10.4; absent on QQ). */
  profile: SocketProfile
}
export interface MessageResult {
  data: string | ArrayBuffer
}
export interface CloseResult {
  code: number
  reason: string
}

/** A WeChat-family SocketTask; `O/M/C` are the onOpen/onMessage/onClose payloads. No `off*` (§7.14). */
export interface SocketTaskOf<O, M, C> {
  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED (undocumented on WeChat, typed by Taro/Douyin). */
  readonly readyState: 0 | 1 | 2 | 3
  readonly CONNECTING: 0
  readonly OPEN: 1
  readonly CLOSING: 2
  readonly CLOSED: 3
  send(option: SocketSendOption): void
  close(option?: SocketCloseOption): void
  onOpen(listener: (result: O) => void): void
  onMessage(listener: (result: M) => void): void
  onClose(listener: (result: C) => void): void
  onError(listener: (result: GeneralResult) => void): void
}

export type WxSocketTask = SocketTaskOf<WxOpenResult, MessageResult, CloseResult>

/** The old global socket API, bound to the newest task; one callback per event (§7.12). */
export interface GlobalSocketApi<O, M, C> {
  onSocketOpen(listener: (result: O) => void): void
  onSocketMessage(listener: (result: M) => void): void
  onSocketClose(listener: (result: C) => void): void
  onSocketError(listener: (result: GeneralResult) => void): void
  sendSocketMessage<T extends SocketSendOption = SocketSendOption>(option: T): PromisifySuccessResult<T, GeneralResult>
  closeSocket<T extends SocketCloseOption = SocketCloseOption>(option?: T): PromisifySuccessResult<T, GeneralResult>
}

export type CommonApi = LifecycleApi & WxNetworkApi & WxStorageApi

export interface WxApi extends CommonApi, GlobalSocketApi<{ header: Record<string, string> }, MessageResult, CloseResult> {
  connectSocket(option: WxConnectSocketOption): WxSocketTask
}

/** QQ mirrors WeChat; its onOpen carries `header` only. */
export type QqApi = WxApi

export interface SwanMessageResult extends MessageResult {
  dataType: 'string' | 'arraybuffer'
}
export type SwanSocketTask = SocketTaskOf<{ header: Record<string, string> }, SwanMessageResult, CloseResult>
export interface SwanApi extends CommonApi, GlobalSocketApi<{ header: Record<string, string> }, SwanMessageResult, CloseResult> {
  connectSocket(option: WxConnectSocketOption): SwanSocketTask
}

/** Douyin payloads (@douyin-microapp/typings). */
export interface TtOpenResult {
  header: Record<string, string>
  protocolType: string
  socketType: 'ttnet' | 'tradition'
}
export interface TtMessageResult extends MessageResult {
  protocolType: string
  socketType: 'ttnet' | 'tradition'
}
export interface TtCloseResult {
  /** A string by default (flag `douyinCloseCode`). */
  code: string | number
  reason: string
  errMsg: string
  protocolType: string
  socketType: string
}
export interface TtSocketTask extends Omit<SocketTaskOf<TtOpenResult, TtMessageResult, TtCloseResult>, 'readyState'> {
  /** `undefined` when the task was not created because of a parameter error. */
  readonly readyState: 0 | 1 | 2 | 3 | undefined
}
/** Douyin has no global socket API. */
export interface TtApi extends CommonApi {
  connectSocket(option: WxConnectSocketOption): TtSocketTask
}
