/**
 * The WeChat-family SocketTask (wx, qq, swan, tt, and uni/Taro on WeChat): a plain object with
 * exactly the documented members — no `off*` (§7.14) — over one MpSocket. Task listeners
 * accumulate (inferred from uni-app H5, research §2.1.2).
 */
import { settle } from '../callbacks.js'
import type { Runtime } from '../core/runtime.js'
import type { MpSocket, SocketEvent } from '../core/socket.js'
import type { EventShapes } from './shapes.js'
import { closeOutcome, sendOutcome } from './socket-ops.js'

type Listener = (result: unknown) => void

export interface TaskOptions {
  /** Douyin: readyState is undefined when the task was never created (parameter error, §7.24). */
  readyStateUndefined?: boolean
}

export function createSocketTask(rt: Runtime, socket: MpSocket, shapes: EventShapes, options: TaskOptions = {}): object {
  const listeners: Record<SocketEvent['type'], Listener[]> = { open: [], message: [], close: [], error: [] }
  const d = rt.dispatcher
  socket.observe((e) => {
    if (e.type === 'close' && e.cause === 'interrupted' && rt.config.flags.backgroundTaskClose === 'suppress') return
    const payload = shape(shapes, e)
    for (const fn of [...listeners[e.type]]) d.call(fn, payload)
  })
  const add = (type: SocketEvent['type']) => (fn: Listener) => { if (typeof fn === 'function') listeners[type].push(fn) }
  const task = {
    CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3,
    send(option: unknown) {
      const o = asObject(option)
      settle(d, o, sendOutcome(rt, socket, o['data'], 'task'))
    },
    close(option?: unknown) {
      const o = asObject(option)
      const { outcome, effect } = closeOutcome(rt, socket, o, 'task')
      settle(d, o, outcome)
      effect?.()
    },
    onOpen: add('open'),
    onMessage: add('message'),
    onClose: add('close'),
    onError: add('error'),
  }
  Object.defineProperty(task, 'readyState', {
    enumerable: true,
    get: () => (options.readyStateUndefined === true ? undefined : socket.readyState),
  })
  return task
}

export function shape(shapes: EventShapes, e: SocketEvent): unknown {
  switch (e.type) {
    case 'open': return shapes.open(e)
    case 'message': return shapes.message(e)
    case 'close': return shapes.close(e)
    case 'error': return shapes.error(e)
  }
}

/** Options of a mini-program call: anything that is not an object counts as `{}` (then fails validation). */
export function asObject(option: unknown): Record<string, unknown> {
  return typeof option === 'object' && option !== null ? (option as Record<string, unknown>) : {}
}
