/**
 * uni-app adapter: `uni.connectSocket` returns the SocketTask only when a callback is passed,
 * otherwise a Promise of the *success result* (research/platform-api.md §2.2, §6.11 — the classic
 * "socketTask.onClose is not a function"); the adapter always passes `fail` and `complete`.
 * It also passes `multiple: true` (read by uni-app's Alipay target only, ignored elsewhere) so an
 * app compiled for Alipay gets a task too, and reads Alipay's `{data: {...}}` envelopes and base64
 * binary on that target.
 *
 * Usage: `import { createClient } from '@minisocket/client/uni'` (or `uniAdapter(uni)` with the core).
 * @see https://uniapp.dcloud.net.cn/api/request/websocket.html
 */
import type { SocketAdapter } from '../core/adapter.js'
import { fromBase64 } from './platform-base64.js'
import { taskAdapter } from './socket-task.js'
import type { SocketTaskApi } from './wx.js'

export function uniAdapter(api: SocketTaskApi): SocketAdapter {
  return taskAdapter('uni', (option) => api.connectSocket({ ...option, multiple: true }), { decode: fromBase64 })
}
