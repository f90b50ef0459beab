/**
 * The App() options: one client for the whole mini-program (pages share it, so the app never
 * uses more than one of its 5 sockets), a nickname kept in storage, and the outbox persisted
 * with the synchronous storage API so messages typed offline survive the app being killed.
 * Identical copy in examples/uniapp/common (checked by a test).
 *
 * @example
 * App(createAppOptions({ createClient, api: wx, url: 'ws://192.168.1.10:8080/ws' }))
 */

const NICK_KEY = 'minisocket-demo:nick'

/** A SyncStorage (what the client's outbox wants) over wx/uni `*StorageSync`. */
export function syncStorage(api) {
  return {
    getItem: (key) => api.getStorageSync(key),
    setItem: (key, value) => api.setStorageSync(key, value),
    removeItem: (key) => api.removeStorageSync(key),
  }
}

/**
 * @param {{ createClient: (options: object) => import('@minisocket/client').Client, api: object, url: string,
 *   platform?: string, random?: () => number }} options
 */
export function createAppOptions(options) {
  const { createClient, api, url } = options
  const random = options.random || Math.random
  const prefix = options.platform || 'wx'
  return {
    // The client is kept in globalData too: uni-app's getApp() exposes globalData, not fields set on `this`.
    globalData: { nick: '', url, client: undefined },
    onLaunch() {
      let nick = api.getStorageSync(NICK_KEY)
      if (typeof nick !== 'string' || nick === '') {
        nick = prefix + '-' + Math.floor(random() * 9000 + 1000)
        api.setStorageSync(NICK_KEY, nick)
      }
      this.globalData.nick = nick
      // Hide/show (suspend and resume) and network changes are wired by the platform entry itself.
      const client = createClient({ url, info: { nick }, outbox: { storage: syncStorage(api), key: 'minisocket-demo:outbox' } })
      this.globalData.client = client
      client.connect()
    },
  }
}
