/**
 * The send/close rules shared by a task and the global API, decided against the socket's state
 * (research §7.5–§7.8, §7.12, §7.20). They return the outcome and, for close, the effect to run
 * after the outcome is scheduled (so `success` is delivered before `onClose`).
 */
import type { Outcome } from '../callbacks.js'
import type { Runtime } from '../core/runtime.js'
import type { MpSocket } from '../core/socket.js'
import { OK, errMsg } from '../err-msg.js'
import { MAX_CLOSE_REASON_BYTES, isValidCloseCode, utf8Length } from '../limits.js'
import type { GeneralResult } from '../types/common.js'

export type Via = 'task' | 'global'
type Result = Outcome<GeneralResult, GeneralResult>

const fail = (message: string): Result => ({ ok: false, result: { errMsg: message } })

export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]'
}

export function sendOutcome(rt: Runtime, socket: MpSocket | undefined, data: unknown, via: Via): Result {
  const blocked = rt.blocked('sendSocketMessage')
  if (blocked !== undefined) return fail(blocked)
  if (data === undefined || data === null) return fail(errMsg.missingData)
  if (typeof data !== 'string' && !isArrayBuffer(data)) return fail(errMsg.unknownData)
  if (socket === undefined) return fail(errMsg.notConnected('sendSocketMessage'))
  const state = socket.current
  if (state === 'open') {
    socket.send(data)
    return { ok: true, result: { errMsg: OK.sendSocketMessage } }
  }
  if (state !== 'connecting' && via === 'task' && rt.config.flags.sendAfterClose === 'taskID not exist') {
    return fail(errMsg.taskIdNotExist('sendSocketMessage'))
  }
  return fail(errMsg.notConnected('sendSocketMessage'))
}

export interface CloseRequest {
  code?: unknown
  reason?: unknown
}

export function closeOutcome(rt: Runtime, socket: MpSocket | undefined, option: CloseRequest, via: Via): { outcome: Result; effect?: () => void } {
  const blocked = rt.blocked('closeSocket')
  if (blocked !== undefined) return { outcome: fail(blocked) }
  if (socket === undefined) return { outcome: fail(errMsg.notConnected('closeSocket')) }
  const state = socket.current
  if (state === 'closing' || state === 'closed') {
    // DEC: a valid close removes the task from the native table at once.
    return { outcome: fail(via === 'task' ? errMsg.taskIdNotExist('closeSocket') : errMsg.notConnected('closeSocket')) }
  }
  const code = option.code === undefined ? 1000 : option.code
  if (!isValidCloseCode(code)) return { outcome: fail(errMsg.badCloseCode) }
  const reason = option.reason === undefined ? '' : String(option.reason)
  if (rt.config.flags.validateCloseReason && utf8Length(reason) > MAX_CLOSE_REASON_BYTES) return { outcome: fail(errMsg.reasonTooLong) }
  if (state === 'connecting' && via === 'global' && rt.config.flags.closeBeforeOpen === 'ignored') {
    // "必须在 WebSocket 打开期间调用 wx.closeSocket 才能关闭" — the connection still opens afterwards.
    return { outcome: fail(errMsg.notConnected('closeSocket')) }
  }
  return { outcome: { ok: true, result: { errMsg: OK.closeSocket } }, effect: () => socket.close(code as number, reason) }
}
