/**
 * The old global socket API (`onSocketOpen`, `sendSocketMessage`, `closeSocket`, ...), bound to
 * one task chosen by `boundTo()` — WeChat: the most recently created one (§7.12). WeChat keeps
 * one callback per event, a new registration replaces the old (§6.4); Alipay accumulates them
 * and has `off*` (§7.14).
 */
import type { PromiseMode } from '../callbacks.js'
import { answer } from '../callbacks.js'
import type { Runtime } from '../core/runtime.js'
import type { MpSocket, SocketEvent } from '../core/socket.js'
import type { EventShapes } from './shapes.js'
import { closeOutcome, sendOutcome } from './socket-ops.js'
import { asObject, shape } from './task.js'

type Listener = (result: unknown) => void

export interface GlobalApiOptions {
  shapes: EventShapes
  mode: PromiseMode
  boundTo: () => MpSocket | undefined
}

export function createGlobalSocketApi(rt: Runtime, options: GlobalApiOptions) {
  const slots: Partial<Record<SocketEvent['type'], Listener>> = {}
  rt.onSocketCreated((socket) => socket.observe((e) => {
    if (options.boundTo() !== socket) return
    rt.dispatcher.call(slots[e.type], shape(options.shapes, e))
  }, 'global'))
  const register = (type: SocketEvent['type']) => (fn: Listener) => { if (typeof fn === 'function') slots[type] = fn }
  return {
    onSocketOpen: register('open'),
    onSocketMessage: register('message'),
    onSocketClose: register('close'),
    onSocketError: register('error'),
    sendSocketMessage(option: unknown) {
      const o = asObject(option)
      return answer(rt.dispatcher, o, sendOutcome(rt, options.boundTo(), o['data'], 'global'), options.mode)
    },
    closeSocket(option?: unknown) {
      const o = asObject(option)
      const { outcome, effect } = closeOutcome(rt, options.boundTo(), o, 'global')
      const result = answer(rt.dispatcher, option, outcome, options.mode)
      effect?.()
      return result
    },
  }
}
