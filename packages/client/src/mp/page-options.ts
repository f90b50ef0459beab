/**
 * Wrappers for `Page({...})` and `Component({...})` options that give each page instance a
 * `this.realtime` PageScope from load to unload (component: attached to detached). What the page
 * subscribes through it is detached when it leaves, whatever the page's own hooks do (or throw).
 */
import type { Client } from '../core/types.js'
import { createPageScope, type PageScope } from './page.js'

/** The client, or a function returning it (called at each load: e.g. `() => getAppClient({ url })`). */
export type ClientSource = Client | (() => Client)

/** What the wrappers add to `this`. */
export interface Realtime {
  realtime: PageScope
}

/** The parts of a page/component instance the examples use (the platform typings have the rest). */
export interface MpPageThis {
  data: Record<string, unknown>
  setData(data: Record<string, unknown>, callback?: () => void): void
}

type Hook = (this: Realtime, ...args: unknown[]) => unknown
type ScopedThis<O> = ThisType<O & Realtime & MpPageThis>
/** Hooks are called by the platform with `this` = the page instance. */
type PlatformHook = (...args: never[]) => unknown

/** The wrapped page options: the original ones plus the load/unload hooks the wrapper owns. */
export type ScopedPageOptions<O> = O & { onLoad: PlatformHook; onUnload: PlatformHook }
/** The wrapped component options: the original ones plus `lifetimes.attached`/`detached`. */
export type ScopedComponentOptions<O> = O & { lifetimes: { attached: PlatformHook; detached: PlatformHook } }

const clientOf = (source: ClientSource): Client => (typeof source === 'function' ? source() : source)

function enter(hook: Hook | undefined, source: ClientSource): Hook {
  return function (this: Realtime, ...args) {
    // A page loaded twice without an unload in between (a platform quirk) must not leak the first scope.
    this.realtime?.dispose()
    this.realtime = createPageScope(clientOf(source))
    return hook?.apply(this, args)
  }
}

function leave(hook: Hook | undefined): Hook {
  return function (this: Realtime, ...args) {
    try {
      return hook?.apply(this, args)
    } finally {
      this.realtime?.dispose()
    }
  }
}

/**
 * Page options with `this.realtime` created in `onLoad` and disposed after `onUnload`.
 *
 * @example
 * Page(scopedPage(() => getAppClient({ url: 'wss://example.com/ws' }), {
 *   data: { messages: [] },
 *   onLoad(query) {
 *     this.realtime.subscribe(`chat:${query.room}`, {
 *       publication: (p) => this.setData({ messages: [...this.data.messages, p.data] }),
 *     })
 *   },
 * }))
 */
export function scopedPage<O extends object>(client: ClientSource, options: O & ScopedThis<O>): ScopedPageOptions<O> {
  const hooks = options as { onLoad?: Hook; onUnload?: Hook }
  return { ...options, onLoad: enter(hooks.onLoad, client), onUnload: leave(hooks.onUnload) } as ScopedPageOptions<O>
}

/**
 * Component options with `this.realtime` from `attached` to `detached` (in `lifetimes`, which
 * takes precedence over the top-level hooks on WeChat; a top-level hook is still called).
 *
 * @example
 * Component(scopedComponent(() => getAppClient({ url: 'wss://example.com/ws' }), {
 *   lifetimes: {
 *     attached() { this.realtime.subscribe('ticker:BTC', { publication: (p) => this.setData({ price: p.data }) }) },
 *   },
 * }))
 */
export function scopedComponent<O extends object>(client: ClientSource, options: O & ScopedThis<O>): ScopedComponentOptions<O> {
  const o = options as { lifetimes?: Record<string, unknown>; attached?: Hook; detached?: Hook }
  const lifetimes = o.lifetimes ?? {}
  const attached = (lifetimes['attached'] as Hook | undefined) ?? o.attached
  const detached = (lifetimes['detached'] as Hook | undefined) ?? o.detached
  return { ...options, lifetimes: { ...lifetimes, attached: enter(attached, client), detached: leave(detached) } } as ScopedComponentOptions<O>
}
