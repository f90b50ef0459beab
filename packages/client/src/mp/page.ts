/**
 * Page-scoped subscriptions. A page (or component) subscribes through a `PageScope`; when the page
 * unloads, the scope detaches exactly the handlers it attached, so entering a page ten times
 * leaves one handler, not ten. Pages on the same channel share the client's one subscription to
 * it (the core allows one per channel); the last page to leave unsubscribes it.
 */
import type { Client, ClientEvents } from '../core/types.js'
import type { Subscription, SubscriptionEvents, SubscriptionHandlers } from '../core/subscription.js'

/**
 * What a page holds while it is loaded.
 *
 * @example
 * const scope = createPageScope(client)          // in onLoad
 * scope.subscribe('chat:lobby', { publication: (p) => render(p.data) })
 * scope.on('state', ({ to }) => showBanner(to))
 * scope.dispose()                                // in onUnload
 */
export interface PageScope {
  readonly client: Client
  /** Attaches `handlers` to the channel's shared subscription, creating it if needed. */
  subscribe(channel: string, handlers?: SubscriptionHandlers): Subscription
  /** A client event listener that lives as long as the scope. */
  on<K extends keyof ClientEvents>(type: K, fn: (event: ClientEvents[K]) => void): () => void
  /** Detaches everything this scope attached; the last scope on a channel unsubscribes it. Idempotent. */
  dispose(): void
}

interface Shared {
  sub: Subscription
  users: number
  /** Created by a scope (so the last scope unsubscribes it), not by the app itself. */
  owned: boolean
}

// Per client, never global: two clients never share channel bookkeeping.
const sharedByClient = new WeakMap<Client, Map<string, Shared>>()

function acquire(client: Client, channel: string): Shared {
  let channels = sharedByClient.get(client)
  if (!channels) sharedByClient.set(client, (channels = new Map()))
  let shared = channels.get(channel)
  // A subscription the server refused (or the app unsubscribed) has left the client: start anew.
  if (!shared || client.subscription(channel) !== shared.sub) {
    const existing = client.subscription(channel)
    shared = { sub: existing ?? client.subscribe(channel), users: 0, owned: existing === undefined }
    channels.set(channel, shared)
  }
  shared.users++
  return shared
}

function release(client: Client, channel: string, shared: Shared): void {
  const channels = sharedByClient.get(client)
  if (--shared.users > 0 || channels?.get(channel) !== shared) return
  channels.delete(channel)
  if (shared.owned) shared.sub.unsubscribe()
}

export function createPageScope(client: Client): PageScope {
  let offs: Array<() => void> = []
  let disposed = false
  const alive = (): void => {
    if (disposed) throw new Error('minisocket: this page scope was disposed (the page unloaded)')
  }
  return {
    client,
    subscribe(channel, handlers = {}) {
      alive()
      const shared = acquire(client, channel)
      for (const type of Object.keys(handlers) as Array<keyof SubscriptionEvents>) {
        const fn = handlers[type]
        if (typeof fn === 'function') offs.push(shared.sub.on(type, fn as (event: SubscriptionEvents[typeof type]) => void))
      }
      offs.push(() => release(client, channel, shared))
      return shared.sub
    },
    on(type, fn) {
      alive()
      const off = client.on(type, fn)
      offs.push(off)
      return off
    },
    dispose() {
      disposed = true
      const all = offs
      offs = []
      for (const off of all) off()
    },
  }
}
