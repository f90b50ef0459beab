/**
 * Taro's H5 runtime (`@tarojs/taro-h5` 4.2.1, research §2.7), selected by flag `taroRuntime: 'h5'`.
 * What differs from the weapp runtime: one listener per event (`ws.onopen = func`), DOM-event
 * payloads, `close()` sends no code/reason on the wire yet `onClose` reports the requested ones,
 * a server close is reported as `{1006, 'abnormal closure'}`, the 6th socket fails `connectSocket`
 * itself, and the global functions are deprecation stubs.
 */
import { answer, hasCallback, settle } from '../callbacks.js'
import type { Runtime } from '../core/runtime.js'
import type { MpSocket, SocketEvent } from '../core/socket.js'
import { OK, errMsg, typeName } from '../err-msg.js'
import { isValidCloseCode } from '../limits.js'
import type { Store } from '../storage.js'
import type { TaroApi } from '../types/taro.js'
import { createWxFamilyApi } from './wx.js'
import { asObject } from './task.js'
import { isArrayBuffer } from './socket-ops.js'

type Listener = (result: unknown) => void

const TOO_MANY = 'connectSocket:fail 同时最多发起 5 个 socket 请求，更多请参考文档。'
const NOT_OPEN = 'SocketTask.send:fail SocketTask.readState is not OPEN'

export function createTaroH5Api(rt: Runtime, store: Store): TaroApi {
  const base = createWxFamilyApi(rt, store, 'wx', 'always') as unknown as Record<string, unknown>
  const d = rt.dispatcher
  const connectSocket = (option: unknown) => {
    const o = asObject(option)
    const result = rt.connect({ url: o['url'], protocols: o['protocols'], limitAs: 'fail' })
    if (!result.ok) {
      const message = result.kind === 'parameter'
        ? `connectSocket:fail parameter error: parameter.url should be String instead of ${typeName(o['url'])}`
        : result.kind === 'scheme' ? `connectSocket:fail request:fail invalid url "${String(o['url'])}"`
          : result.kind === 'limit' ? TOO_MANY : result.errMsg
      // Taro's MethodHandler: with `fail` or `complete` given, the promise resolves with the fail result.
      const failResult = { errMsg: message }
      settle(d, o, { ok: false, result: failResult })
      return new Promise((resolve, reject) => d.defer(() => (hasCallback({ fail: o['fail'], complete: o['complete'] }) ? resolve(failResult) : reject(failResult))))
    }
    const task = createH5Task(rt, result.socket)
    const res = { errMsg: OK.connectSocket, socketTaskId: result.socket.id }
    settle(d, o, { ok: true, result: res })
    return new Promise((resolve) => d.defer(() => resolve(Object.assign(task, res))))
  }
  const deprecated = (name: string) => () => console.warn(`Deprecated.Please use socketTask.${name} instead.`)
  return {
    ...base,
    connectSocket,
    onSocketOpen: deprecated('onOpen'),
    onSocketMessage: deprecated('onMessage'),
    onSocketClose: deprecated('onClose'),
    onSocketError: deprecated('onError'),
    sendSocketMessage: deprecated('send'),
    closeSocket: deprecated('close'),
  } as unknown as TaroApi
}

function createH5Task(rt: Runtime, socket: MpSocket): object {
  const d = rt.dispatcher
  const slots: Partial<Record<SocketEvent['type'], Listener>> = {}
  let requested: { code: number; reason: string } | undefined
  socket.observe((e) => {
    if (e.type === 'close') {
      // The H5 task reports what close() asked for, or a fixed abnormal closure for anything else.
      const payload = requested ?? { code: 1006, reason: 'abnormal closure' }
      return d.call(slots.close, payload)
    }
    const payload = e.type === 'message' ? { type: 'message', data: e.data } : { type: e.type }
    d.call(slots[e.type], payload)
  })
  const set = (type: SocketEvent['type']) => (fn: Listener) => { if (typeof fn === 'function') slots[type] = fn }
  const task = {
    CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3,
    send(option: unknown) {
      const o = asObject(option)
      const data = o['data']
      const ok = socket.current === 'open' && (typeof data === 'string' || isArrayBuffer(data)) && socket.send(data)
      const outcome = ok ? { ok: true as const, result: { errMsg: OK.sendSocketMessage } } : { ok: false as const, result: { errMsg: NOT_OPEN } }
      return answer(d, o, outcome, 'always')
    },
    close(option?: unknown) {
      const o = asObject(option)
      const code = o['code'] === undefined ? 1000 : o['code']
      const reason = o['reason'] === undefined ? 'server complete,close' : String(o['reason'])
      if (socket.current === 'closing' || socket.current === 'closed') {
        return answer(d, o, { ok: false, result: { errMsg: errMsg.notConnected('closeSocket') } }, 'always')
      }
      requested = { code: isValidCloseCode(code) ? (code as number) : 1000, reason }
      const result = answer(d, o, { ok: true, result: { errMsg: OK.closeSocket } }, 'always')
      socket.close(1000, '', false)
      return result
    },
    onOpen: set('open'),
    onMessage: set('message'),
    onClose: set('close'),
    onError: set('error'),
  }
  Object.defineProperty(task, 'readyState', { enumerable: true, get: () => socket.readyState })
  return task
}
