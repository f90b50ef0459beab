/**
 * The device network as the app sees it: `getNetworkType`, `onNetworkStatusChange`, and the
 * effect of `none` on sockets (driven from the runtime).
 */
import type { Dispatcher } from '../callbacks.js'
import type { NetworkType } from '../options.js'

export interface NetworkStatus {
  isConnected: boolean
  networkType: NetworkType
}

export class Network {
  private readonly listeners = new Set<(status: NetworkStatus) => void>()

  constructor(private type: NetworkType, private readonly dispatcher: Dispatcher) {}

  get current(): NetworkType {
    return this.type
  }

  get isConnected(): boolean {
    return this.type !== 'none'
  }

  /** Changes the network; listeners hear about it only when the type actually changes. */
  set(type: NetworkType): boolean {
    if (type === this.type) return false
    this.type = type
    const status: NetworkStatus = { isConnected: this.isConnected, networkType: type }
    for (const fn of [...this.listeners]) this.dispatcher.call(fn, status)
    return true
  }

  on(fn: (status: NetworkStatus) => void): void { if (typeof fn === 'function') this.listeners.add(fn) }
  /** "不传此参数则移除所有监听函数" (wx.offNetworkStatusChange). */
  off(fn?: (status: NetworkStatus) => void): void { if (fn === undefined) this.listeners.clear(); else this.listeners.delete(fn) }
  dispose(): void { this.listeners.clear() }
}
