/**
 * The platforms' documented limits, in one place (research/platform-api.md §5).
 */
import type { Platform, SocketLimit } from './options.js'
import { atLeast } from './version.js'

/** WeChat "默认超时时间是 60s" (network.html); the last step of the timeout chain. */
export const WX_DEFAULT_TIMEOUT_MS = 60_000
/** Alipay `timeout` default 30000 ms (my.connectSocket doc). */
export const MY_DEFAULT_TIMEOUT_MS = 30_000
/** "小程序进入后台运行后，如果 5s 内网络请求没有结束…" (network.html). */
export const BACKGROUND_CUT_MS = 5_000
/** "这个字符串必须是不长于 123 字节的 UTF-8 文本（不是字符）" (SocketTask.close). */
export const MAX_CLOSE_REASON_BYTES = 123
/** wx storage: 1 MB per key, 10 MB per app (wx.setStorage doc). */
export const STORAGE_ITEM_MAX_BYTES = 1024 * 1024
export const STORAGE_TOTAL_MAX_BYTES = 10 * 1024 * 1024

/** DEC: `code == 1000 || (3000 <= code < 5000)`, the browser rule too. */
export function isValidCloseCode(code: unknown): boolean {
  return code === 1000 || (typeof code === 'number' && Number.isInteger(code) && code >= 3000 && code <= 4999)
}

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length
}

/**
 * The timeout chain (DEC + network.html): a positive per-call `timeout` (WeChat ≥ 2.10.0) wins,
 * then app.json `networkTimeout.connectSocket`, then the platform default.
 */
export function connectTimeout(callTimeout: unknown, appTimeout: number | undefined, platformDefault: number): number {
  if (typeof callTimeout === 'number' && callTimeout > 0 && Number.isFinite(callTimeout)) return callTimeout
  if (typeof appTimeout === 'number' && appTimeout > 0 && Number.isFinite(appTimeout)) return appTimeout
  return platformDefault
}

/**
 * The socket limit per platform and base library:
 * - WeChat/QQ/uni/Taro: 5 from 1.7.0; below, one socket and a new connect closes the old one.
 * - Baidu: one socket replaced by a new one before 1.9.4; "multiple" after (count undocumented, 5 assumed).
 * - Douyin: 5, old connections are not auto-closed. Alipay: 5 SocketTask instances.
 */
export function defaultSocketLimit(platform: Platform, version: string): SocketLimit {
  if (platform === 'swan') return atLeast(version, '1.9.4') ? { max: 5, whenFull: 'error' } : { max: 1, whenFull: 'replace' }
  if (platform === 'tt' || platform === 'my') return { max: 5, whenFull: 'error' }
  return atLeast(version, '1.7.0') ? { max: 5, whenFull: 'error' } : { max: 1, whenFull: 'replace' }
}
