import type { Lifecycle } from '@minisocket/client'

/**
 * Network hooks for a web page: stop retrying while the browser is offline and reconnect the
 * moment it is back. Browsers keep the sockets of hidden tabs, so hide/show do nothing here
 * (mini-programs are different: their entries suspend on hide).
 *
 * @example
 * createClient({ url, lifecycle: webNetwork(window) })
 */
export function webNetwork(win: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>): Lifecycle {
  const none = (): (() => void) => () => {}
  return {
    onHide: none,
    onShow: none,
    onNetwork(fn) {
      const online = (): void => fn(true)
      const offline = (): void => fn(false)
      win.addEventListener('online', online)
      win.addEventListener('offline', offline)
      return () => {
        win.removeEventListener('online', online)
        win.removeEventListener('offline', offline)
      }
    },
  }
}
