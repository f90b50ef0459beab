/**
 * The native side of one emulated app: socket table (ids, concurrency slots, "newest"), app
 * lifecycle, network and the dispatcher for user callbacks. Platform files sit on top of it and
 * only translate shapes; every rule that is the same on all platforms lives here.
 */
import { Dispatcher } from '../callbacks.js'
import { errMsg } from '../err-msg.js'
import { connectTimeout } from '../limits.js'
import type { NetworkType } from '../options.js'
import type { Transport } from '../transport/types.js'
import { buildHeaders, checkUrl, normalizeProtocols } from '../url-policy.js'
import type { Config } from './config.js'
import { Lifecycle } from './lifecycle.js'
import { Network } from './network.js'
import { MpSocket } from './socket.js'

/** The connect options every platform shares (already unwrapped from the platform's shape). */
export interface ConnectArgs {
  url: unknown
  header?: unknown
  protocols?: unknown
  timeout?: unknown
  perMessageDeflate?: unknown
  /** How a full socket table is reported: an error event on the task (WeChat) or connectSocket `fail` (Taro H5). */
  limitAs?: 'error-event' | 'fail'
}

export type ConnectFailure = 'parameter' | 'scheme' | 'domain' | 'limit' | 'interrupted' | 'disposed'

export type ConnectResult =
  | { ok: true; socket: MpSocket }
  | { ok: false; socket: MpSocket; kind: ConnectFailure; errMsg: string }

export class Runtime {
  readonly dispatcher: Dispatcher
  readonly lifecycle: Lifecycle
  readonly network: Network
  private nextId = 1
  private live: MpSocket[] = []
  private newestSocket: MpSocket | undefined
  private disposed = false
  private readonly createdHooks: Array<(socket: MpSocket) => void> = []

  constructor(readonly config: Config, private readonly transport: Transport) {
    this.dispatcher = new Dispatcher(config.onUncaughtError)
    this.lifecycle = new Lifecycle(config.clock, config.backgroundCutMs, this.dispatcher, () => this.suspendSockets())
    this.network = new Network(config.network, this.dispatcher)
  }

  /** Sockets not yet CLOSED (they hold a concurrency slot, §6.8). */
  get liveCount(): number {
    return this.live.length
  }

  /** Task ids handed out so far. */
  get createdCount(): number {
    return this.nextId - 1
  }

  /** The most recently created socket: the one the global API is bound to (§7.12). */
  get newest(): MpSocket | undefined {
    return this.newestSocket
  }

  get isDisposed(): boolean {
    return this.disposed
  }

  /** Why a network call must fail now (suspended or disposed), or undefined when it may proceed. */
  blocked(api: string): string | undefined {
    if (this.disposed) return errMsg.disposed(api)
    if (this.lifecycle.current === 'suspended') return errMsg.interrupted(api)
    return undefined
  }

  onSocketCreated(fn: (socket: MpSocket) => void): void {
    this.createdHooks.push(fn)
  }

  /** Creates a socket and decides the connectSocket outcome; the socket always exists (§7.1, §7.15). */
  connect(args: ConnectArgs): ConnectResult {
    const socket = this.createSocket()
    const blocked = this.blocked('connectSocket')
    if (blocked !== undefined) return this.reject(socket, this.disposed ? 'disposed' : 'interrupted', blocked)
    const verdict = checkUrl(args.url, this.config)
    if (!verdict.ok) {
      if (verdict.kind === 'parameter') return this.reject(socket, 'parameter', errMsg.parameter('connectSocket', 'url', 'String', args.url))
      if (verdict.kind === 'scheme') return this.reject(socket, 'scheme', errMsg.invalidUrl(String(args.url)))
      const where = this.config.flags.domainError
      if (where === 'error-event' || where === 'both') socket.failAtCreation(errMsg.domainEvent, 'domain')
      if (where === 'fail' || where === 'both') return this.reject(socket, 'domain', errMsg.domainFail, where === 'fail')
      return { ok: true, socket }
    }
    if (this.live.length >= this.config.limit.max) {
      if (this.config.limit.whenFull === 'replace') {
        // "如果当前已存在一个 WebSocket 连接，会自动关闭该连接，并重新创建" (WeChat < 1.7.0, Baidu < 1.9.4).
        for (const old of this.live.slice(0, this.live.length - this.config.limit.max + 1)) old.close(1000, '')
      } else if (args.limitAs === 'fail') {
        return this.reject(socket, 'limit', errMsg.exceedMax(socket.id))
      } else {
        socket.failAtCreation(errMsg.exceedMax(socket.id), 'limit')
        return { ok: true, socket }
      }
    }
    this.live.push(socket)
    if (!this.network.isConnected) {
      socket.failAtCreation(errMsg.networkDown, 'offline')
      return { ok: true, socket }
    }
    const url = this.config.route(verdict.url)
    socket.start({
      url,
      headers: buildHeaders(args.header, this.config),
      protocols: normalizeProtocols(args.protocols),
      perMessageDeflate: args.perMessageDeflate === true,
    }, connectTimeout(args.timeout, this.config.appConnectTimeout, this.config.platformTimeout))
    return { ok: true, socket }
  }

  setNetwork(type: NetworkType): void {
    if (!this.network.set(type) || this.network.isConnected) return
    // Losing the network drops sockets without an error event (§6.6: mid-connection drops are not
    // reported to onSocketError); they report an abnormal closure.
    for (const socket of [...this.live]) socket.cut(1006, 'abnormal closure', 'abnormal')
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    for (const socket of [...this.live]) socket.discard()
    this.lifecycle.dispose()
    this.network.dispose()
  }

  private createSocket(): MpSocket {
    const socket = new MpSocket(this.nextId++, {
      clock: this.config.clock,
      transport: this.transport,
      closeAfterError: this.config.flags.closeAfterError === 'deliver',
      readyStateLagMs: this.config.flags.readyStateLagMs,
      onClosed: (s) => { this.live = this.live.filter((x) => x !== s) },
      defer: (fn) => this.dispatcher.defer(fn),
    })
    this.newestSocket = socket
    for (const hook of this.createdHooks) hook(socket)
    return socket
  }

  private reject(socket: MpSocket, kind: ConnectFailure, message: string, discard = true): ConnectResult {
    if (discard) socket.discard()
    return { ok: false, socket, kind, errMsg: message }
  }

  private suspendSockets(): void {
    const code = this.config.flags.backgroundCloseCode
    for (const socket of [...this.live]) socket.cut(code, 'interrupted', 'interrupted')
  }
}
