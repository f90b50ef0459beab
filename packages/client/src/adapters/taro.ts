/**
 * Taro adapter: `Taro.connectSocket` always returns `Promise<SocketTask>`, resolved after
 * `success` (research/platform-api.md §2.7, §7.22). The adapter awaits the task and attaches its
 * listeners on resolution; it queues nothing (the core only sends after onOpen). A close asked for
 * before the task exists is applied as soon as it does, so no task outlives its handle. Task
 * methods may return Promises (H5 runtime); their rejections are absorbed in socket-task.ts.
 *
 * Usage: `import Taro from '@tarojs/taro'; createClient({ url, api: Taro })` from '@minisocket/client/taro'.
 * @see https://docs.taro.zone/docs/apis/network/webSocket/connectSocket
 */
import type { SocketAdapter } from '../core/adapter.js'
import { taskAdapter } from './socket-task.js'
import type { SocketTaskApi } from './wx.js'

export function taroAdapter(api: SocketTaskApi): SocketAdapter {
  return taskAdapter('taro', (option) => api.connectSocket(option))
}
