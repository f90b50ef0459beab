/**
 * Taro on a mini-program (weapp): `Taro.connectSocket` always returns `Promise<SocketTask>` that
 * resolves after the user's `success`, with the success result copied onto the task
 * (`Object.assign(task, res)`), and rejects with the fail result (research §2.7, §7.22). Every
 * other async API always returns a Promise too. The H5 runtime lives in taro-h5.ts.
 * @see https://docs.taro.zone/docs/apis/network/webSocket/connectSocket
 */
import type { Runtime } from '../core/runtime.js'
import { OK } from '../err-msg.js'
import type { Store } from '../storage.js'
import type { TaroApi } from '../types/taro.js'
import { createTaroH5Api } from './taro-h5.js'
import { createWxFamilyApi, wxConnect } from './wx.js'

export function createTaroApi(rt: Runtime, store: Store): TaroApi {
  if (rt.config.flags.taroRuntime === 'h5') return createTaroH5Api(rt, store)
  const base = createWxFamilyApi(rt, store, 'wx', 'always')
  const connectSocket = (option: unknown) => {
    const { task, result } = wxConnect(rt, 'wx', option)
    return new Promise((resolve, reject) => {
      // Deferred after wxConnect's own delivery, so the user's success/fail has already run.
      rt.dispatcher.defer(() => {
        if (result.ok) resolve(Object.assign(task, { errMsg: OK.connectSocket, socketTaskId: result.socket.id }))
        else reject({ errMsg: result.errMsg })
      })
    })
  }
  return { ...base, connectSocket } as unknown as TaroApi
}
