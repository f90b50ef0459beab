/**
 * wx, qq, swan and tt: `connectSocket` returning a task synchronously, with `success`/`complete`
 * called later (§7.1), plus the global socket API where the platform has one (tt has none).
 * Usage: `createMiniProgram({ platform: 'wx' }).api`.
 * @see https://developers.weixin.qq.com/miniprogram/dev/api/network/websocket/wx.connectSocket.html
 */
import type { PromiseMode } from '../callbacks.js'
import { settle } from '../callbacks.js'
import type { ConnectResult, Runtime } from '../core/runtime.js'
import { OK } from '../err-msg.js'
import type { Store } from '../storage.js'
import type { TtApi, WxApi } from '../types/wx.js'
import { atLeast } from '../version.js'
import { commonApi } from './common.js'
import { createGlobalSocketApi } from './global-api.js'
import type { WxFamily } from './shapes.js'
import { shapesFor } from './shapes.js'
import { asObject, createSocketTask } from './task.js'

/** Runs a WeChat-style connect: the socket, the task over it, and the scheduled success/fail. */
export function wxConnect(rt: Runtime, platform: WxFamily, option: unknown): { task: object; result: ConnectResult } {
  const o = asObject(option)
  const result = rt.connect({
    url: o['url'],
    header: o['header'],
    protocols: o['protocols'],
    // `timeout` is honoured from base library 2.10.0 (wx.connectSocket doc).
    timeout: platform === 'tt' || atLeast(rt.config.version, '2.10.0') ? o['timeout'] : undefined,
    perMessageDeflate: o['perMessageDeflate'],
  })
  const task = createSocketTask(rt, result.socket, shapesFor(platform, rt.config).task, {
    readyStateUndefined: platform === 'tt' && !result.ok && result.kind === 'parameter',
  })
  settle(rt.dispatcher, o, result.ok
    ? { ok: true, result: { errMsg: OK.connectSocket, socketTaskId: result.socket.id } }
    : { ok: false, result: { errMsg: result.errMsg } })
  return { task, result }
}

/** WeChat promisifies the async APIs from base library 2.10.2; swan and tt document no promises. */
export function wxPromiseMode(platform: WxFamily, version: string): PromiseMode {
  if (platform === 'wx' || platform === 'qq') return atLeast(version, '2.10.2') ? 'promise-if-no-callbacks' : 'callbacks'
  return 'callbacks'
}

export function createWxFamilyApi(rt: Runtime, store: Store, platform: WxFamily, mode = wxPromiseMode(platform, rt.config.version)): WxApi | TtApi {
  const connectSocket = (option: unknown) => wxConnect(rt, platform, option).task
  const common = commonApi(rt, store, mode)
  if (platform === 'tt') return { connectSocket, ...common } as unknown as TtApi
  const global = createGlobalSocketApi(rt, { shapes: shapesFor(platform, rt.config).global, mode, boundTo: () => rt.newest })
  return { connectSocket, ...global, ...common } as unknown as WxApi
}
