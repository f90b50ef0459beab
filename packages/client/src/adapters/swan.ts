/**
 * Baidu adapter: `swan.connectSocket` returns a SocketTask (base library ≥ 1.9.4). Its onMessage
 * adds `dataType`, which the adapter does not need: text is a string, binary an ArrayBuffer.
 * Before 1.9.4 a new connect replaced the old socket; the client holds one socket anyway.
 *
 * Usage: `import { createClient } from '@minisocket/client/swan'` (or `swanAdapter(swan)` with the core).
 * @see https://smartprogram.baidu.com/docs/develop/api/net/swan-connectSocket/
 */
import type { SocketAdapter } from '../core/adapter.js'
import { taskAdapter } from './socket-task.js'
import type { SocketTaskApi } from './wx.js'

export function swanAdapter(api: SocketTaskApi): SocketAdapter {
  return taskAdapter('swan', (option) => api.connectSocket(option))
}
