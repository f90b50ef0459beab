/**
 * The members every platform has besides sockets: app lifecycle, network status, storage.
 */
import type { PromiseMode } from '../callbacks.js'
import { answer } from '../callbacks.js'
import type { Runtime } from '../core/runtime.js'
import type { Store } from '../storage.js'
import { wxStorageApi } from '../storage.js'

export function lifecycleApi(rt: Runtime) {
  const lc = rt.lifecycle
  return {
    onAppShow: lc.onAppShow.bind(lc),
    offAppShow: lc.offAppShow.bind(lc),
    onAppHide: lc.onAppHide.bind(lc),
    offAppHide: lc.offAppHide.bind(lc),
  }
}

export function wxNetworkApi(rt: Runtime, mode: PromiseMode) {
  return {
    onNetworkStatusChange: rt.network.on.bind(rt.network),
    offNetworkStatusChange: rt.network.off.bind(rt.network),
    getNetworkType(option?: unknown) {
      const result = { networkType: rt.network.current, signalStrength: 0, hasSystemProxy: false, weakNet: false, errMsg: 'getNetworkType:ok' }
      return answer(rt.dispatcher, option, { ok: true, result }, mode)
    },
  }
}

/** Lifecycle + network + WeChat-shaped storage. */
export function commonApi(rt: Runtime, store: Store, mode: PromiseMode) {
  return { ...lifecycleApi(rt), ...wxNetworkApi(rt, mode), ...wxStorageApi(store, rt.dispatcher, mode) }
}
