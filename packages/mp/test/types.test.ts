/// <reference types="miniprogram-api-typings" />
/// <reference types="@dcloudio/types" />
/**
 * Type conformance, checked by `npx tsc -p tsconfig.json --noEmit`: the emulator's wx socket
 * members (and task) are assignable to the official `WechatMiniprogram.Wx` declarations
 * (miniprogram-api-typings), and the uni ones to `@dcloudio/types`. A user can hand `mp.api` to
 * code typed against the official typings. The `@ts-expect-error` lines are the negative
 * checks: if the emulator grew an `off*` on WeChat tasks, this file would stop compiling.
 * The runtime test below keeps the file in the test run and checks the same objects exist.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { createMiniProgram, type UniApi, type WxApi, type WxSocketTask } from '@minisocket/mp'

type WxSocketMembers =
  | 'connectSocket' | 'onSocketOpen' | 'onSocketMessage' | 'onSocketClose' | 'onSocketError'
  | 'sendSocketMessage' | 'closeSocket'
type WxAppMembers =
  | 'onAppShow' | 'offAppShow' | 'onAppHide' | 'offAppHide'
  | 'onNetworkStatusChange' | 'offNetworkStatusChange' | 'getNetworkType'
  | 'setStorageSync' | 'getStorageSync' | 'removeStorageSync' | 'clearStorageSync'

export function wxSocketConforms(api: WxApi): Pick<WechatMiniprogram.Wx, WxSocketMembers> {
  return api
}
export function wxAppConforms(api: WxApi): Pick<WechatMiniprogram.Wx, WxAppMembers> {
  return api
}
export function wxTaskConforms(task: WxSocketTask): WechatMiniprogram.SocketTask {
  return task
}

/**
 * `onSocketClose` is left out: @dcloudio/types declares its payload with a required `errMsg`,
 * but on WeChat uni-app passes WeChat's `{code, reason}` through unchanged (research §2.2).
 */
type UniSocketMembers = 'onSocketOpen' | 'onSocketMessage' | 'onSocketError' | 'sendSocketMessage' | 'closeSocket'
export function uniSocketConforms(api: UniApi): Pick<Uni, UniSocketMembers> {
  return api
}
/**
 * uni's `connectSocket` has two overloads; the legacy one (`(options) => SocketTask`, no
 * callbacks required) is what research §6.11 shows to be wrong at runtime — without callbacks
 * uni-app returns a Promise. The emulator conforms to the promisified overload, the true one.
 */
type UniPromisifiedConnect = <T extends UniNamespace.ConnectSocketOption = UniNamespace.ConnectSocketOption>(
  options: T,
) => UniNamespace.PromisifySuccessResult<T, UniNamespace.ConnectSocketOption, UniNamespace.SocketTask>
export function uniConnectConforms(api: UniApi): UniPromisifiedConnect {
  return api.connectSocket
}
export function uniTaskConforms(task: ReturnType<UniApi['connectSocket']> & WxSocketTask): UniNamespace.SocketTask {
  return task
}

export function negativeChecks(api: WxApi, task: WxSocketTask): void {
  // @ts-expect-error WeChat tasks have no off* (§7.14)
  void task.offOpen
  // @ts-expect-error nor does the wx socket API
  void api.offSocketMessage
  // @ts-expect-error connectSocket never returns a Promise on wx (§7.13)
  void api.connectSocket({ url: 'wss://example.com' }).then
  // sendSocketMessage without callbacks is a Promise, with callbacks it is void:
  const p: Promise<{ errMsg: string }> = api.sendSocketMessage({ data: 'x' })
  // @ts-expect-error with a callback there is no Promise
  const q: Promise<{ errMsg: string }> = api.sendSocketMessage({ data: 'x', success: () => undefined })
  void p
  void q
}

test('type conformance: the emulated wx and uni objects are the ones the compile-time checks cover', async () => {
  const wx = createMiniProgram({ platform: 'wx', clock: new FakeClock() })
  const uni = createMiniProgram({ platform: 'uni', clock: new FakeClock() })
  try {
    const socketApi = wxSocketConforms(wx.api)
    for (const name of ['connectSocket', 'onSocketOpen', 'onSocketMessage', 'onSocketClose', 'onSocketError', 'sendSocketMessage', 'closeSocket'] as const) {
      assert.equal(typeof socketApi[name], 'function', name)
    }
    const task = wxTaskConforms(wx.api.connectSocket({ url: 'ws://127.0.0.1:1' }))
    for (const name of ['send', 'close', 'onOpen', 'onClose', 'onError', 'onMessage'] as const) assert.equal(typeof task[name], 'function', name)
    assert.equal(typeof uniConnectConforms(uni.api), 'function')
    assert.equal(typeof uniSocketConforms(uni.api).sendSocketMessage, 'function')
    const app = wxAppConforms(wx.api)
    assert.equal(app.getStorageSync('absent'), '')
  } finally {
    wx.dispose()
    uni.dispose()
  }
})
