/**
 * Douyin adapter: `tt.connectSocket` returns a SocketTask; its onClose `code` may be a string
 * (`string | number` in @douyin-microapp/typings, §7.24) and is converted to a number in
 * socket-task.ts. A new connect never closes the old socket on Douyin, so the adapter closes its
 * own previous task before opening another (socket budget, §1 table).
 *
 * Usage: `import { createClient } from '@minisocket/client/tt'` (or `ttAdapter(tt)` with the core).
 * @see https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/api/network/web-socket/tt-connect-socket
 */
import type { SocketAdapter } from '../core/adapter.js'
import { taskAdapter } from './socket-task.js'
import type { SocketTaskApi } from './wx.js'

export function ttAdapter(api: SocketTaskApi): SocketAdapter {
  return taskAdapter('tt', (option) => api.connectSocket(option))
}
