/**
 * The shared body of every mini-program adapter: one SocketAdapter over a platform's
 * `connectSocket` and its SocketTask. Platform files (wx.ts, my.ts, ...) only say how to call
 * `connectSocket` and how their payloads differ; every rule of the adapter contract
 * (core/adapter.ts) is enforced once, here.
 *
 * Usage: `taskAdapter('wx', (option) => wx.connectSocket(option))` — platform files do this.
 * @see https://developers.weixin.qq.com/miniprogram/dev/api/network/websocket/SocketTask.html
 */
import type { OpenOptions, SocketAdapter, SocketHandle, SocketHandlers } from '../core/adapter.js'

type Listener = (result: unknown) => void
type Callback = (result: unknown) => void

/** The SocketTask members every platform has (WeChat names; Alipay's task has them too). */
export interface SocketTaskLike {
  send(option: { data: string | ArrayBuffer; isBuffer?: boolean; fail?: Callback }): unknown
  close(option: { code: number; reason: string; fail?: Callback }): unknown
  onOpen(fn: Listener): unknown
  onMessage(fn: Listener): unknown
  onClose(fn: Listener): unknown
  onError(fn: Listener): unknown
}

/** What the adapter passes to `connectSocket`. `fail` is always there (uni-app then returns the task). */
export interface ConnectOption {
  url: string
  header?: Record<string, string>
  protocols?: string[]
  /** Alipay (and uni-app's Alipay target): return a SocketTask instead of undefined (§2.3). */
  multiple?: true
  fail: Callback
  complete: Callback
}

/** A task now (wx, qq, swan, tt, uni, my), a Promise of one (Taro), or nothing usable. */
export type Connect = (option: ConnectOption) => unknown

/** How a platform's payloads differ from WeChat's. */
export interface TaskDialect {
  /** Turns binary into what the platform's `send` takes (Alipay: base64 + `isBuffer`). */
  encode?(data: ArrayBuffer): { data: string | ArrayBuffer; isBuffer?: boolean }
  /** Decodes a base64 payload flagged `isBuffer` (Alipay). */
  decode?(base64: string): ArrayBuffer | undefined
}

/**
 * One handle's states. `closing`: close() was called, only the close is reported from then on.
 *   connecting ──onOpen──▶ open ──close()──▶ closing ──onClose──▶ closed
 *   (connecting and open may also go straight to closing or closed)
 */
type State = 'connecting' | 'open' | 'closing' | 'closed'
const NEXT: Record<State, readonly State[]> = {
  connecting: ['open', 'closing', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null
const isBuffer = (v: unknown): v is ArrayBuffer => Object.prototype.toString.call(v) === '[object ArrayBuffer]'

/**
 * Alipay wraps task events in `{data: {...}}` (research/platform-api.md §6.14); WeChat-family
 * payloads are flat. A `data` that is a plain object (not text, not bytes) is such an envelope.
 */
function unwrap(res: unknown): Record<string, unknown> {
  if (!isObject(res)) return {}
  const inner = res['data']
  return isObject(inner) && !isBuffer(inner) && !ArrayBuffer.isView(inner) ? inner : res
}

/** Text as string, binary as an ArrayBuffer of exactly its bytes (a view is copied out). */
function messageOf(res: unknown, dialect: TaskDialect): string | ArrayBuffer | undefined {
  const p = unwrap(res)
  const data = p['data']
  if (typeof data === 'string') return p['isBuffer'] === true && dialect.decode ? dialect.decode(data) : data
  if (isBuffer(data)) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer
  return undefined
}

/**
 * Codes as numbers: Douyin reports them as strings (§7.24). A missing code, or one outside the
 * WebSocket range (the background cut reports 0, §7.19), becomes 1006 abnormal closure.
 */
function closeOf(res: unknown): [number, string] {
  const p = unwrap(res)
  const code = Number(p['code'])
  const reason = typeof p['reason'] === 'string' ? p['reason'] : ''
  return Number.isInteger(code) && code >= 1000 && code < 5000 ? [code, reason] : [1006, reason || 'abnormal closure']
}

/** "1000, or between 3000 and 4999" is all every platform accepts (§5); anything else closes as 1000. */
function validCode(code: number): number {
  return code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999) ? code : 1000
}

/** Cuts a reason to at most 123 UTF-8 bytes ("不是字符", SocketTask.close) without splitting a character. */
export function clampReason(reason: string): string {
  let bytes = 0
  for (let i = 0; i < reason.length; i++) {
    const c = reason.charCodeAt(i)
    const pair = c >= 0xd800 && c < 0xdc00 && i + 1 < reason.length
    const n = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3
    if (bytes + n > 123) return reason.slice(0, i)
    bytes += n
    if (pair) i++
  }
  return reason
}

/** Mini-program task methods may return a Promise (Taro: always); its rejection is ours to absorb. */
function quiet(result: unknown): void {
  if (isObject(result) && typeof result['then'] === 'function') (result as unknown as Promise<unknown>).then(undefined, () => {})
}

/** The message of a platform failure: `errMsg` (WeChat family), `errorMessage` (Alipay), or an Error's. */
function describe(error: unknown): string {
  if (!isObject(error)) return String(error)
  const text = error['errMsg'] ?? error['errorMessage'] ?? error['message']
  return typeof text === 'string' ? text : 'connect failed'
}

const isTask = (v: unknown): v is SocketTaskLike => isObject(v) && typeof v['onOpen'] === 'function' && typeof v['send'] === 'function'

/**
 * One adapter over `connect`. Each adapter holds at most one task: opening a new socket first
 * closes the previous task if it never reported its close, so a platform slot is never leaked
 * (research §6.8: "closed tasks still count until closed"). Give each client its own adapter.
 */
export function taskAdapter(name: string, connect: Connect, dialect: TaskDialect = {}): SocketAdapter {
  let current: SocketHandle | undefined
  return {
    name,
    open(url: string, options: OpenOptions, h: SocketHandlers): SocketHandle {
      current?.close(1000, 'replaced')
      const handle = openTask(connect, dialect, url, options, h)
      current = handle
      return handle
    },
  }
}

function openTask(connect: Connect, dialect: TaskDialect, url: string, options: OpenOptions, h: SocketHandlers): SocketHandle {
  let state: State = 'connecting'
  let errored = false
  let task: SocketTaskLike | undefined
  let pendingClose: [number, string] | undefined
  let inOpen = true
  /** The single funnel: false when the transition is not allowed (e.g. a second close). */
  const setState = (next: State): boolean => {
    if (!NEXT[state].includes(next)) return false
    state = next
    return true
  }

  // Nothing is reported inside open() (contract rule 1), even if a platform calls back synchronously.
  const later = (fn: () => void): void => {
    if (inOpen) void Promise.resolve().then(fn)
    else fn()
  }
  const closed = (code: number, reason: string): void => later(() => {
    if (setState('closed')) h.onClose(code, reason)
  })
  const failed = (error: unknown): void => later(() => {
    if (state === 'closed' || errored) return
    errored = true
    h.onError(error)
  })
  /** connectSocket itself failed: no task events will come, so the close is ours to report. */
  const refused = (error: unknown): void => {
    failed(error)
    closed(1006, describe(error))
  }

  const attach = (t: SocketTaskLike): void => {
    task = t
    t.onOpen(() => later(() => {
      if (setState('open')) h.onOpen()
    }))
    t.onMessage((res) => later(() => {
      if (state !== 'open') return
      const data = messageOf(res, dialect)
      if (data !== undefined) h.onMessage(data)
    }))
    t.onClose((res) => closed(...closeOf(res)))
    t.onError((res) => failed(res))
    // A close asked for before the task existed (Taro), or a handle that already ended.
    if (state === 'closing' || state === 'closed') closeTask(...(pendingClose ?? [1000, '']))
  }

  const closeTask = (code: number, reason: string): void => {
    try {
      quiet(task?.close({ code, reason, fail: () => {} }))
    } catch {
      // a platform that throws on a dead task: it is closed either way
    }
  }

  try {
    const option: ConnectOption = { url, fail: refused, complete: () => {} }
    if (options.headers) option.header = { ...options.headers }
    if (options.protocols?.length) option.protocols = [...options.protocols]
    const result = connect(option)
    if (isTask(result)) attach(result)
    else if (isObject(result) && typeof result['then'] === 'function') {
      // Taro: always Promise<SocketTask>, resolved after `success` (§2.7). uni-app without a
      // callback resolves the success result instead of the task (§6.11): not a task, refused.
      ;(result as unknown as Promise<unknown>).then(
        (t) => (isTask(t) ? attach(t) : refused(t)),
        refused,
      )
    } else refused({ errMsg: 'connectSocket:fail no SocketTask returned' })
  } catch (error) {
    refused(error)
  }
  inOpen = false

  return {
    send(data) {
      if (state !== 'open' || !task) return
      const payload = typeof data === 'string' ? { data } : dialect.encode ? dialect.encode(data) : { data }
      quiet(task.send({ ...payload, fail: () => {} }))
    },
    close(code, reason) {
      if (!setState('closing')) return
      const args: [number, string] = [validCode(code), clampReason(reason)]
      if (task) closeTask(...args)
      else pendingClose = args
    },
  }
}
