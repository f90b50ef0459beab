/**
 * uni-app compiled for WeChat (mp-weixin): WeChat's objects pass through, and uni-app's
 * `promisify` wraps every async API. `connectSocket` is in uni-app's TASK_APIS: with a callback it
 * returns the task; without, a Promise of the success result — the task is created and then lost
 * (research §2.2, §6.11, §7.21).
 * @see https://uniapp.dcloud.net.cn/api/request/websocket.html
 */
import type { Outcome, PromiseMode } from '../callbacks.js'
import { answer, hasCallback } from '../callbacks.js'
import type { Runtime } from '../core/runtime.js'
import { OK } from '../err-msg.js'
import type { Store } from '../storage.js'
import type { GeneralResult } from '../types/common.js'
import type { UniApi } from '../types/uni.js'
import type { ConnectSocketSuccess } from '../types/wx.js'
import { createWxFamilyApi, wxConnect } from './wx.js'

export function createUniApi(rt: Runtime, store: Store): UniApi {
  const mode: PromiseMode = rt.config.flags.uniPromise === 'vue2' ? 'vue2' : 'promise-if-no-callbacks'
  const base = createWxFamilyApi(rt, store, 'wx', mode)
  const connectSocket = (option: unknown) => {
    if (hasCallback(option)) return wxConnect(rt, 'wx', option).task
    const { result } = wxConnect(rt, 'wx', option)
    const outcome: Outcome<ConnectSocketSuccess, GeneralResult> = result.ok
      ? { ok: true, result: { errMsg: OK.connectSocket, socketTaskId: result.socket.id } }
      : { ok: false, result: { errMsg: result.errMsg } }
    return answer(rt.dispatcher, undefined, outcome, mode)
  }
  // One cast at the boundary: the implementation takes `unknown` options (user input), the public
  // type is uni-app's conditional PromisifySuccessResult.
  return { ...base, connectSocket } as unknown as UniApi
}
