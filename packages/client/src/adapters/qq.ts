/**
 * QQ adapter: QQ mirrors WeChat's API (`qq.connectSocket` → SocketTask, close code 1000 or
 * 3000-4999, reason ≤ 123 bytes). Its onOpen carries only `header`, which the client ignores.
 *
 * Usage: `import { createClient } from '@minisocket/client/qq'` (or `qqAdapter(qq)` with the core).
 * @see https://q.qq.com/wiki/develop/game/API/network/websocket.html
 */
import type { SocketAdapter } from '../core/adapter.js'
import { taskAdapter } from './socket-task.js'
import type { SocketTaskApi } from './wx.js'

export function qqAdapter(api: SocketTaskApi): SocketAdapter {
  return taskAdapter('qq', (option) => api.connectSocket(option))
}
