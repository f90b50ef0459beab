/**
 * success/fail/complete semantics shared by every platform: results are delivered
 * asynchronously (never inside the call, §7.1), `success` or `fail` first and `complete` after,
 * and errors thrown by user callbacks never escape into the emulator (WeChat reports them to
 * App.onError instead of breaking the bridge).
 */

/** The callback trio of every asynchronous mini-program API. */
export interface AsyncCallbacks<S, F = S> {
  success?: (result: S) => void
  fail?: (result: F) => void
  complete?: (result: S | F) => void
}

/** The result of an API call, decided synchronously and delivered later. */
export type Outcome<S, F> = { ok: true; result: S } | { ok: false; result: F }

/**
 * How an API answers when no callback is given:
 * - `callbacks`: never a promise (wx `connectSocket`, every `SocketTask` method);
 * - `promise-if-no-callbacks`: a promise only when none of success/fail/complete is given (wx ≥ 2.10.2);
 * - `vue2`: like the above but the promise resolves `[err, res]` and never rejects (uni-app Vue 2);
 * - `always`: always a promise (Taro).
 */
export type PromiseMode = 'callbacks' | 'promise-if-no-callbacks' | 'vue2' | 'always'

export function hasCallback(option: unknown): boolean {
  if (typeof option !== 'object' || option === null) return false
  const o = option as Record<string, unknown>
  return typeof o['success'] === 'function' || typeof o['fail'] === 'function' || typeof o['complete'] === 'function'
}

/** Schedules user code: in order, after the current call returns, each call isolated by try/catch. */
export class Dispatcher {
  constructor(private readonly onUncaught: (error: unknown) => void) {}

  /** Runs `fn` after the current synchronous call, in FIFO order with other deferred work. */
  defer(fn: () => void): void {
    queueMicrotask(() => this.run(fn))
  }

  /** Calls a user callback now, reporting what it throws instead of propagating it. */
  call<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
    if (typeof fn !== 'function') return
    this.run(() => fn(...args))
  }

  private run(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      try { this.onUncaught(error) } catch { /* a broken reporter must not break the emulator */ }
    }
  }
}

/** Delivers an outcome to success/fail then complete, later. */
export function settle<S, F>(d: Dispatcher, option: unknown, outcome: Outcome<S, F>): void {
  // Options come from user code: only members that are functions are called.
  const cbs = (typeof option === 'object' && option !== null ? option : {}) as AsyncCallbacks<S, F>
  d.defer(() => {
    if (outcome.ok) d.call(cbs.success, outcome.result)
    else d.call(cbs.fail, outcome.result)
    d.call(cbs.complete, outcome.result)
  })
}

/**
 * Delivers an outcome through callbacks and, depending on `mode`, a promise. The promise settles
 * after the callbacks; it rejects with the fail object itself (as WeChat's promisified APIs do).
 */
export function answer<S, F>(
  d: Dispatcher,
  option: unknown,
  outcome: Outcome<S, F>,
  mode: PromiseMode,
): Promise<unknown> | undefined {
  settle(d, option, outcome)
  const wantsPromise = mode === 'always' || (mode !== 'callbacks' && !hasCallback(option))
  if (!wantsPromise) return undefined
  if (mode === 'vue2') {
    return new Promise((resolve) => d.defer(() => resolve(outcome.ok ? [null, outcome.result] : [outcome.result, undefined])))
  }
  return new Promise((resolve, reject) => d.defer(() => (outcome.ok ? resolve(outcome.result) : reject(outcome.result))))
}
