/**
 * Alipay (`my`), research §2.3, §7.23: `multiple: true` returns a SocketTask whose events come in
 * `{data: {...}}` envelopes; without it `connectSocket` returns `undefined` and the app uses the
 * global single-socket API (`my.onSocket*`, accumulating, with `my.off*`). Binary travels as
 * base64 with `isBuffer: true`; failures are `{error, errorMessage}`.
 * @see https://opendocs.alipay.com/mini/api/vx19c3
 */
import type { PromiseMode } from '../callbacks.js'
import { answer, settle } from '../callbacks.js'
import { arrayBufferToBase64, base64ToArrayBuffer } from '../base64.js'
import type { ConnectResult, Runtime } from '../core/runtime.js'
import type { MpSocket, SocketEvent } from '../core/socket.js'
import type { Store } from '../storage.js'
import { myStorageApi } from '../storage.js'
import type { MyApi, MyFail, MyNetworkType } from '../types/my.js'
import { appendQuery } from '../url-policy.js'
import { lifecycleApi } from './common.js'
import { closeOutcome, sendOutcome } from './socket-ops.js'
import { asObject } from './task.js'
import type { Outcome } from '../callbacks.js'
import type { NetworkType } from '../options.js'

type Listener = (result?: unknown) => void
type EventType = SocketEvent['type']

/** Alipay's documented error codes (my.connectSocket doc). */
const MY_ERROR = {
  unknown: 1, exists: 2, emptyUrl: 3, badUrl: 4, notWs: 5, timeout: 6, badHeader: 8, notOpen: 10, sendFailed: 11, wsNotAllowed: 20,
} as const

const fail = (error: number, errorMessage: string): MyFail => ({ error, errorMessage })

function connectFailure(result: Extract<ConnectResult, { ok: false }>, url: unknown): MyFail {
  switch (result.kind) {
    case 'parameter': return url === undefined || url === '' ? fail(MY_ERROR.emptyUrl, 'URL 参数为空') : fail(MY_ERROR.badUrl, '无法识别的 URL 格式')
    case 'scheme': return fail(MY_ERROR.notWs, 'URL 必须以 ws 或者 wss 开头')
    case 'domain': return typeof url === 'string' && url.startsWith('ws://') ? fail(MY_ERROR.wsNotAllowed, '请求 url 不支持 ws，请使用 wss') : fail(MY_ERROR.unknown, result.errMsg)
    default: return fail(MY_ERROR.unknown, result.errMsg)
  }
}

function errorOf(e: Extract<SocketEvent, { type: 'error' }>): MyFail {
  if (e.kind === 'timeout') return fail(MY_ERROR.timeout, '连接服务器超时')
  if (e.kind === 'http-status') return fail(MY_ERROR.badHeader, '服务端返回协议头无效')
  return fail(MY_ERROR.unknown, e.errMsg)
}

/** Maps a WeChat-style send/close outcome to Alipay's result shapes. */
function mapOutcome<S>(outcome: Outcome<{ errMsg: string }, { errMsg: string }>, success: S): Outcome<S, MyFail> {
  if (outcome.ok) return { ok: true, result: success }
  const m = outcome.result.errMsg
  if (m.includes('not connected') || m.includes('taskID not exist')) return { ok: false, result: fail(MY_ERROR.notOpen, '网络连接没有打开，无法发送消息') }
  return { ok: false, result: fail(MY_ERROR.unknown, m) }
}

/** Text as is; `isBuffer` text is base64 to decode into bytes. */
function payloadOf(o: Record<string, unknown>): unknown {
  if (o['isBuffer'] === true && typeof o['data'] === 'string') return base64ToArrayBuffer(o['data']) ?? null
  return o['data']
}

const MY_NETWORK: Record<NetworkType, MyNetworkType> = {
  none: 'NOTREACHABLE', wifi: 'WIFI', '2g': '2G', '3g': '3G', '4g': '4G', '5g': '5G', unknown: 'UNKNOWN',
}

export function createMyApi(rt: Runtime, store: Store): MyApi {
  const d = rt.dispatcher
  const mode: PromiseMode = 'promise-if-no-callbacks'
  let single: MpSocket | undefined
  const retiring = new Set<MpSocket>()
  const globals = listenerSets()
  rt.onSocketCreated((socket) => socket.observe((e) => {
    // A replaced single socket still reports its close to the global listeners.
    const retired = retiring.has(socket) && e.type === 'close'
    if (socket !== single && !retired) return
    if (retired) retiring.delete(socket)
    // my.onSocketOpen(cb: () => void): called without an argument (@mini-types/my).
    if (e.type === 'open') return globals.open.forEach((fn) => d.call(fn))
    const payload = e.type === 'message' ? messageData(e.data)
      : e.type === 'close' ? { code: e.code, reason: e.reason } : errorOf(e)
    for (const fn of [...globals[e.type]]) d.call(fn, payload)
  }, 'global'))

  const send = (socket: MpSocket | undefined, option: unknown, via: 'task' | 'global') => {
    const o = asObject(option)
    return answer(d, o, mapOutcome(sendOutcome(rt, socket, payloadOf(o), via), { success: true as const }), mode)
  }
  const close = (socket: MpSocket | undefined, option: unknown, via: 'task' | 'global') => {
    const o = asObject(option)
    const { outcome, effect } = closeOutcome(rt, socket, o, via)
    const result = answer(d, o, mapOutcome(outcome, { message: 'closeSocket:ok' }), mode)
    effect?.()
    return result
  }

  const connectSocket = (option: unknown) => {
    const o = asObject(option)
    const multiple = o['multiple'] === true
    if (!multiple && single !== undefined && single.current !== 'closed') {
      if (rt.config.flags.alipaySingleSocket === 'error') {
        settle(d, o, { ok: false, result: fail(MY_ERROR.exists, '网络连接已经存在') })
        return undefined
      }
      // Older docs: "如果当前已存在 WebSocket 连接，那么会自动关闭该连接，并重新创建".
      retiring.add(single)
      single.close(1000, '')
    }
    const url = typeof o['url'] === 'string' ? appendQuery(o['url'], o['data']) : o['url']
    const result = rt.connect({ url, header: o['header'], protocols: o['protocols'], timeout: o['timeout'] })
    if (!multiple) single = result.socket
    const id = String(result.socket.id)
    settle<{ socketTaskID: string }, MyFail>(d, o, result.ok ? { ok: true, result: { socketTaskID: id } } : { ok: false, result: connectFailure(result, o['url']) })
    return multiple ? createMyTask(result.socket, id) : undefined
  }

  const createMyTask = (socket: MpSocket, socketTaskID: string) => {
    const sets = listenerSets()
    socket.observe((e) => {
      const payload = e.type === 'open' ? { data: { socketTaskID } }
        : e.type === 'message' ? { data: { socketTaskID, ...messageData(e.data) } }
          : e.type === 'close' ? { data: { socketTaskID, code: e.code, reason: e.reason } }
            : { data: { socketTaskID }, ...errorOf(e) }
      for (const fn of [...sets[e.type]]) d.call(fn, payload)
    })
    return {
      send: (option: unknown) => { send(socket, option, 'task') },
      close: (option?: unknown) => { close(socket, option, 'task') },
      ...onOff(sets, ''),
    }
  }

  const network = {
    onNetworkStatusChange: (fn: (r: unknown) => void) => rt.network.on(wrapNetwork(fn)),
    offNetworkStatusChange: (fn?: (r: unknown) => void) => rt.network.off(fn === undefined ? undefined : networkWrappers.get(fn)),
    getNetworkType: (option?: unknown) => answer(d, option, {
      ok: true,
      result: { networkType: MY_NETWORK[rt.network.current], networkAvailable: rt.network.isConnected },
    }, mode),
  }
  const networkWrappers = new Map<(r: unknown) => void, (s: { isConnected: boolean; networkType: NetworkType }) => void>()
  function wrapNetwork(fn: (r: unknown) => void) {
    const w = (s: { isConnected: boolean; networkType: NetworkType }) => fn({ isConnected: s.isConnected, networkType: MY_NETWORK[s.networkType] })
    networkWrappers.set(fn, w)
    return w
  }

  const api = {
    connectSocket,
    ...onOff(globals, 'Socket'),
    sendSocketMessage: (option: unknown) => send(single, option, 'global'),
    closeSocket: (option?: unknown) => close(single, option, 'global'),
    ...lifecycleApi(rt),
    ...network,
    ...myStorageApi(store, d, mode),
  }
  return api as unknown as MyApi
}

function messageData(data: string | ArrayBuffer): { data: string; isBuffer: boolean } {
  return typeof data === 'string' ? { data, isBuffer: false } : { data: arrayBufferToBase64(data), isBuffer: true }
}

function listenerSets(): Record<EventType, Set<Listener>> {
  return { open: new Set(), message: new Set(), close: new Set(), error: new Set() }
}

/** `onOpen`/`offOpen`... (infix '') or `onSocketOpen`/`offSocketOpen`... (infix 'Socket'); off() without argument removes all. */
function onOff(sets: Record<EventType, Set<Listener>>, infix: '' | 'Socket'): Record<string, (fn?: Listener) => void> {
  const out: Record<string, (fn?: Listener) => void> = {}
  for (const [type, name] of [['open', 'Open'], ['message', 'Message'], ['close', 'Close'], ['error', 'Error']] as const) {
    out[`on${infix}${name}`] = (fn) => { if (typeof fn === 'function') sets[type].add(fn) }
    out[`off${infix}${name}`] = (fn) => { if (fn === undefined) sets[type].clear(); else sets[type].delete(fn) }
  }
  return out
}
