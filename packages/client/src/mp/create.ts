/**
 * `createClient` for a mini-program platform: the core client pre-bound to the platform's
 * adapter, the real timers, the platform's sync storage for the durable outbox, and its app and
 * network hooks. Each entry (`@minisocket/client/wx`, ...) binds one `MpPlatform`.
 */
import type { SocketAdapter } from '../core/adapter.js'
import { createClient as createCore } from '../core/client.js'
import type { Client, ClientOptions } from '../core/types.js'
import { realClock } from '../entries/timers.js'
import { platformLifecycle, platformStorage, type MpApi, type PlatformLifecycle } from './platform.js'

/** What an entry knows about its platform. */
export interface MpPlatform {
  /** 'wx', 'uni', ... — used in error messages. */
  name: string
  adapter(api: MpApi): SocketAdapter
  /** Shape of the sync storage calls: WeChat's `(key, data)` or Alipay's `({key, data})`. */
  storage: 'wx' | 'my'
  /** The platform global (`wx`, `uni`, ...) read at call time, or undefined outside the platform. */
  global(): MpApi | undefined
}

export interface MpClientOptions extends Omit<ClientOptions, 'adapter' | 'clock' | 'lifecycle'> {
  /** The platform object (`wx`, `uni`, `my`, ..., `Taro`). Default: the platform global, read now. Tests pass an emulator's `mp.api`. */
  api?: MpApi
  /** Default: the platform's adapter over `api`. */
  adapter?: SocketAdapter
  /** Default: the real timers. */
  clock?: ClientOptions['clock']
  /** Default: the platform's onAppHide/onAppShow and network hooks; `null` for none. */
  lifecycle?: ClientOptions['lifecycle'] | null
  /**
   * Persist the outbox in the platform's sync storage (`setStorageSync`), so messages published
   * while offline survive an app kill. Default true; ignored when `outbox.storage` is given.
   */
  persistOutbox?: boolean
}

/** The platform object for these options: `api`, else the global, else a clear error. */
export function resolveApi(platform: MpPlatform, api: MpApi | undefined): MpApi {
  const found = api ?? platform.global()
  if (typeof found?.connectSocket !== 'function') {
    throw new TypeError(`minisocket: no \`${platform.name}\` platform object here; pass \`api\` (e.g. createClient({ url, api: ${platform.name} }))`)
  }
  return found
}

/** A client plus the disposer of the platform hooks it registered (used by the app-level registry). */
export function createPlatformClient(platform: MpPlatform, options: MpClientOptions): { client: Client; api: MpApi; dispose(): void } {
  const { api: given, persistOutbox = true, lifecycle: givenLifecycle, ...rest } = options
  const api = resolveApi(platform, given)
  const own: PlatformLifecycle | undefined = givenLifecycle === undefined ? platformLifecycle(api) : undefined
  const lifecycle = givenLifecycle ?? own
  const outbox = { ...rest.outbox }
  if (persistOutbox && outbox.storage === undefined) outbox.storage = platformStorage(api, platform.storage)
  const client = createCore({
    clock: realClock,
    ...rest,
    adapter: rest.adapter ?? platform.adapter(api),
    outbox,
    ...(lifecycle && { lifecycle }),
  })
  return { client, api, dispose: () => own?.dispose() }
}
