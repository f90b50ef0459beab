/**
 * Alipay adapter: `my.connectSocket({ multiple: true })` returns a SocketTask (without `multiple`
 * it returns undefined and only the global single-socket API works, §2.3). Task events arrive in
 * `{data: {...}}` envelopes, binary travels as base64 with `isBuffer: true` both ways, and
 * failures are `{error, errorMessage}`: all converted here (socket-task.ts unwraps envelopes).
 *
 * Usage: `import { createClient } from '@minisocket/client/my'` (or `myAdapter(my)` with the core).
 * @see https://opendocs.alipay.com/mini/api/vx19c3
 */
import type { SocketAdapter } from '../core/adapter.js'
import { fromBase64, toBase64 } from './platform-base64.js'
import { taskAdapter } from './socket-task.js'
import type { SocketTaskApi } from './wx.js'

export function myAdapter(api: SocketTaskApi): SocketAdapter {
  return taskAdapter('my', (option) => api.connectSocket({ ...option, multiple: true }), {
    encode: (data) => ({ data: toBase64(data), isBuffer: true }),
    decode: fromBase64,
  })
}
