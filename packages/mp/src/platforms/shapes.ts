/**
 * Per-platform payload shapes of socket events (research §1 table, §3 typings), for the
 * WeChat-family platforms. Alipay and Taro H5 have their own files.
 */
import type { Config } from '../core/config.js'
import type { SocketEvent } from '../core/socket.js'
import { atLeast } from '../version.js'

type Ev<T extends SocketEvent['type']> = Extract<SocketEvent, { type: T }>

export interface EventShapes {
  open(e: Ev<'open'>): unknown
  message(e: Ev<'message'>): unknown
  close(e: Ev<'close'>): unknown
  error(e: Ev<'error'>): unknown
}

export type WxFamily = 'wx' | 'qq' | 'swan' | 'tt'

/** Task and global payload shapes for one platform. */
export function shapesFor(platform: WxFamily, config: Config): { task: EventShapes; global: EventShapes } {
  const v = config.version
  const header = (e: Ev<'open'>) => (platform !== 'wx' || atLeast(v, '2.0.0') ? { header: e.header } : {})
  const base: EventShapes = {
    open: header,
    message: (e) => ({ data: e.data }),
    close: (e) => ({ code: e.code, reason: e.reason }),
    error: (e) => ({ errMsg: e.errMsg }),
  }
  if (platform === 'wx') {
    // onOpen: `header` from base library 2.0.0, `profile` from 2.10.4 (SocketTask.onOpen doc).
    const task = { ...base, open: (e: Ev<'open'>) => ({ ...header(e), ...(atLeast(v, '2.10.4') ? { profile: e.profile } : {}) }) }
    return { task, global: base }
  }
  if (platform === 'swan') {
    const swan = { ...base, message: (e: Ev<'message'>) => ({ data: e.data, dataType: typeof e.data === 'string' ? 'string' : 'arraybuffer' }) }
    return { task: swan, global: swan }
  }
  if (platform === 'tt') {
    // Douyin adds transport fields and may report the close code as a string (§7.24).
    const meta = { protocolType: 'websocket', socketType: 'tradition' as const }
    const tt: EventShapes = {
      open: (e) => ({ header: e.header, ...meta }),
      message: (e) => ({ data: e.data, ...meta }),
      close: (e) => ({
        code: config.flags.douyinCloseCode === 'string' ? String(e.code) : e.code,
        reason: e.reason, errMsg: 'closeSocket:ok', ...meta,
      }),
      error: base.error,
    }
    return { task: tt, global: tt }
  }
  return { task: base, global: base }
}
