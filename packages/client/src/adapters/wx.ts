/**
 * WeChat adapter: `wx.connectSocket` returns its SocketTask synchronously; listeners are attached
 * in the same call (research/platform-api.md §6.1), failures of the call itself come through
 * `fail` and are reported as error + close, and `readyState` is never read (it lags, §6.9).
 *
 * Usage: `import { createClient } from '@minisocket/client/wx'` (or `wxAdapter(wx)` with the core).
 * @see https://developers.weixin.qq.com/miniprogram/dev/api/network/websocket/wx.connectSocket.html
 */
import type { SocketAdapter } from '../core/adapter.js'
import { taskAdapter, type ConnectOption } from './socket-task.js'

/** The member of `wx` (and of `qq`, `swan`, `tt`) the adapter uses. */
export interface SocketTaskApi {
  connectSocket(option: ConnectOption): unknown
}

export function wxAdapter(api: SocketTaskApi): SocketAdapter {
  return taskAdapter('wx', (option) => api.connectSocket(option))
}
