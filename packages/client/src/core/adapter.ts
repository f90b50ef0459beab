/**
 * The seam between the core and a platform: a handful of primitives (aesthetics.md, synthesis 2).
 * Browser, Node and every mini-program SocketTask (wx, uni, my, tt, swan, qq, Taro) implement
 * `SocketAdapter`; all behaviour (reconnect, heartbeat, outbox) lives once in the core.
 *
 * The contract, checked for every adapter by test/contract/adapter-contract.ts:
 * 1. `open()` returns a handle synchronously and never throws; failures are reported through
 *    `onError` and/or `onClose`, never synchronously inside `open()` (handlers are passed at open
 *    so no listener is attached too late: platform-api.md §6.1).
 * 2. Text arrives as `string`, binary as `ArrayBuffer` (not Buffer, Blob or a typed array).
 * 3. `onOpen` at most once; `onClose(code, reason)` at most once, and nothing after it.
 *    `close()` and `send()` on a closed or failed socket do not throw.
 * 4. An adapter may fail to report a close at all (mini-programs in the background, uni-app App
 *    firing only onError: platform-api.md §6.5-6.6). The core copes: it stops listening to a
 *    handle as soon as it closes it or sees onError/onClose, and its connect timeout and heartbeat
 *    watchdog end a socket that went silent. So the core reports each close exactly once.
 */
export interface SocketAdapter {
  /** Platform name for logs, e.g. 'browser', 'node', 'wx'. */
  readonly name: string
  open(url: string, options: OpenOptions, handlers: SocketHandlers): SocketHandle
}

export interface OpenOptions {
  protocols?: readonly string[]
  /** Extra request headers. Browsers cannot set them (ignored there); Node and mini-programs can. */
  headers?: Readonly<Record<string, string>>
}

export interface SocketHandlers {
  onOpen(): void
  onMessage(data: string | ArrayBuffer): void
  /** Codes as numbers: adapters convert platform quirks (Douyin's string codes) to numbers. */
  onClose(code: number, reason: string): void
  onError(error: unknown): void
}

export interface SocketHandle {
  send(data: string | ArrayBuffer): void
  /** `code` is 1000 or 3000-4999 (the range every platform accepts). */
  close(code: number, reason: string): void
}

/**
 * Synchronous key/value storage for the durable outbox: `localStorage`, or a mini-program's
 * `getStorageSync`/`setStorageSync`/`removeStorageSync`. Synchronous on purpose: an async write
 * may not land before the app is killed (easemob #5, features.md §3.8). A missing key may read
 * as `null`, `undefined` or `''` (wx returns '').
 */
export interface SyncStorage {
  getItem(key: string): string | null | undefined
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/**
 * App lifecycle and network hooks, provided by mini-program entries. Each registration returns
 * its unregister function. Hidden → the client suspends (close 4008, the server keeps the session);
 * shown → it resumes at once, skipping the backoff. Offline → it stops retrying; online → it
 * connects at once.
 */
export interface Lifecycle {
  onHide(fn: () => void): () => void
  onShow(fn: () => void): () => void
  onNetwork?(fn: (online: boolean) => void): () => void
}
