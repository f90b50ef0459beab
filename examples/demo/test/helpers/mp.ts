/**
 * Runs the WeChat and uni-app page logic in Node: small App()/Page() shims, the emulator
 * (@minisocket/mp) as `wx`/`uni`, and the client created through the platform entry
 * (`@minisocket/client/wx`, `/uni`) — or, where the entry is not there, through the platform
 * adapter and the core, which is what the entry does.
 */
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Client, ClientOptions, Lifecycle, SocketAdapter } from '@minisocket/client'
import { createClient as createCore } from '@minisocket/client'
import type { MiniProgram } from '@minisocket/mp'

export type MpPlatform = 'wx' | 'uni'
export type ClientFactory = (options: Omit<ClientOptions, 'adapter' | 'clock'>) => Client

export const examplesDir = fileURLToPath(new URL('../../../', import.meta.url))

/** Imports a plain-JS module of the mini-program projects (no type declarations: typed by the caller). */
export async function loadExample<T>(relativePath: string): Promise<T> {
  const url = pathToFileURL(`${examplesDir}${relativePath}`).href
  return (await import(url)) as T
}

/**
 * The platform entry's createClient, bound to this emulated app (installed as the global `wx` /
 * `uni` the entry reads); or a string saying why it is not available.
 */
export async function entryFactory(platform: MpPlatform, mp: MiniProgram): Promise<ClientFactory | string> {
  const specifier = `@minisocket/client/${platform}`
  // Installed before the import, in case the entry reads the global when it loads; the entry is
  // expected to read it when createClient is called (each test has its own emulated app).
  mp.install()
  let entry: { createClient?: unknown }
  try {
    entry = (await import(specifier)) as { createClient?: unknown }
  } catch (error) {
    return `${specifier} is not available yet (${(error as { code?: string }).code ?? String(error)})`
  }
  if (typeof entry.createClient !== 'function') return `${specifier} has no createClient export`
  const create = entry.createClient as ClientFactory
  return (options) => create(options)
}

/** The adapter and lifecycle the entry would bind, over the emulator's API object. */
export async function adapterFactory(platform: MpPlatform, mp: MiniProgram): Promise<ClientFactory> {
  // The adapters are not exported by the package (the entries are its public face): a test may reach in.
  const path = platform === 'wx' ? '../../../../packages/client/src/adapters/wx.js' : '../../../../packages/client/src/adapters/uni.js'
  const mod = (await import(new URL(path, import.meta.url).href)) as Record<string, (api: unknown) => SocketAdapter>
  const makeAdapter = mod[platform === 'wx' ? 'wxAdapter' : 'uniAdapter']
  if (makeAdapter === undefined) throw new Error(`no ${platform}Adapter in ${path}`)
  const api = mp.api as unknown as {
    onAppHide(fn: () => void): void
    offAppHide(fn: () => void): void
    onAppShow(fn: () => void): void
    offAppShow(fn: () => void): void
    onNetworkStatusChange(fn: (r: { isConnected: boolean }) => void): void
    offNetworkStatusChange(fn: (r: { isConnected: boolean }) => void): void
  }
  const lifecycle: Lifecycle = {
    onHide: (fn) => (api.onAppHide(fn), () => api.offAppHide(fn)),
    onShow: (fn) => (api.onAppShow(fn), () => api.offAppShow(fn)),
    onNetwork: (fn) => {
      const listener = (r: { isConnected: boolean }) => fn(r.isConnected)
      api.onNetworkStatusChange(listener)
      return () => api.offNetworkStatusChange(listener)
    },
  }
  const adapter = makeAdapter(mp.api)
  return (options) =>
    createCore({
      ...options,
      adapter,
      lifecycle,
      clock: { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    })
}

export interface AppInstance {
  globalData: { nick: string; url: string; client: Client }
  onLaunch(): void
}

/** App(options) + getApp(): the options object becomes the app instance, as in WeChat. */
export function runApp(options: AppInstance): AppInstance {
  const app: AppInstance = { ...options, globalData: { ...options.globalData } }
  app.onLaunch()
  return app
}

type Hooks = { onLoad?(query: Record<string, string>): void; onReady?(): void; onUnload?(): void; [key: string]: unknown }

/** A WeChat page instance: `data` plus `setData`, which copies what it is given (structuredClone, like the bridge's serialization). */
export function wxPage<T extends Hooks>(options: T & { data: Record<string, unknown> }): T & { data: Record<string, unknown>; setData(patch: Record<string, unknown>): void } {
  const page = {
    ...options,
    data: structuredClone(options.data),
    setData(patch: Record<string, unknown>) {
      for (const [key, value] of Object.entries(patch)) this.data[key] = structuredClone(value)
    },
  }
  return page
}

export interface VueOptions {
  data(): Record<string, unknown>
  methods?: Record<string, (...args: never[]) => unknown>
  onLoad?(query: Record<string, string>): void
  onReady?(): void
  onUnload?(): void
}

/** A Vue 3 options-API instance, as uni-app builds it: data fields and bound methods on one object. */
export function vuePage(options: VueOptions): Record<string, unknown> & { onLoad(q: Record<string, string>): void; onUnload(): void } {
  const vm: Record<string, unknown> = { ...options.data() }
  for (const [name, fn] of Object.entries(options.methods ?? {})) vm[name] = (fn as (...a: unknown[]) => unknown).bind(vm)
  for (const hook of ['onLoad', 'onReady', 'onUnload'] as const) {
    const fn = options[hook]
    vm[hook] = fn ? (fn as (...a: unknown[]) => unknown).bind(vm) : () => {}
  }
  return vm as Record<string, unknown> & { onLoad(q: Record<string, string>): void; onUnload(): void }
}
