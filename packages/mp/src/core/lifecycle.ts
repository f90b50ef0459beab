/**
 * App foreground/background state, `onAppShow`/`onAppHide`, and the background cut.
 *
 *   foreground ──hide()──▶ background ──backgroundCutMs──▶ suspended
 *        ▲                     │                              │
 *        └──────show()─────────┴──────────show()──────────────┘
 *
 * "小程序进入「后台」状态一段时间后（目前是 5 秒），微信会停止小程序 JS 线程的执行" — on suspend every socket
 * is cut with reason 'interrupted' and network calls fail until `show()` (research §2.1.5, §7.19).
 */
import type { Clock } from '../clock.js'
import type { Dispatcher } from '../callbacks.js'

export type AppState = 'foreground' | 'background' | 'suspended'

/** What `onAppShow` listeners receive (the shape of App.onShow's argument). */
export interface AppShowResult {
  path: string
  query: Record<string, string>
  scene: number
  referrerInfo: { appId: string; extraData: Record<string, unknown> }
  apiCategory: 'default' | 'nativeFunctionalized' | 'browseOnly' | 'embedded' | 'chatTool'
  forwardMaterials: Array<{ name: string; path: string; size: number; type: string }>
  hostExtraData: { host_scene: string }
}

/** What `onAppHide` listeners receive (WeChat's HideOptionsApp; `reason` is optional and absent here). */
export interface AppHideResult {
  reason?: 0 | 1 | 2 | 3
}

const ALLOWED: Record<AppState, readonly AppState[]> = {
  foreground: ['background'],
  background: ['foreground', 'suspended'],
  suspended: ['foreground'],
}

export class Lifecycle {
  private state: AppState = 'foreground'
  private cutTimer: unknown
  private readonly showListeners = new Set<(res: AppShowResult) => void>()
  private readonly hideListeners = new Set<(res: AppHideResult) => void>()

  constructor(
    private readonly clock: Clock,
    private readonly cutMs: number,
    private readonly dispatcher: Dispatcher,
    private readonly onSuspend: () => void,
  ) {}

  get current(): AppState {
    return this.state
  }

  hide(): void {
    if (!this.setState('background')) return
    for (const fn of [...this.hideListeners]) this.dispatcher.call(fn, {})
    this.cutTimer = this.clock.setTimeout(() => {
      if (this.setState('suspended')) this.onSuspend()
    }, this.cutMs)
  }

  show(): void {
    if (!this.setState('foreground')) return
    this.clock.clearTimeout(this.cutTimer)
    // A warm start from the background (scene 1001: 发现栏小程序主入口, the devtools default).
    const res: AppShowResult = {
      path: 'pages/index/index', query: {}, scene: 1001, referrerInfo: { appId: '', extraData: {} },
      apiCategory: 'default', forwardMaterials: [], hostExtraData: { host_scene: '' },
    }
    for (const fn of [...this.showListeners]) this.dispatcher.call(fn, res)
  }

  dispose(): void {
    this.clock.clearTimeout(this.cutTimer)
    this.showListeners.clear()
    this.hideListeners.clear()
  }

  onAppShow(fn: (res: AppShowResult) => void): void { if (typeof fn === 'function') this.showListeners.add(fn) }
  offAppShow(fn?: (res: AppShowResult) => void): void { if (fn === undefined) this.showListeners.clear(); else this.showListeners.delete(fn) }
  onAppHide(fn: (res: AppHideResult) => void): void { if (typeof fn === 'function') this.hideListeners.add(fn) }
  offAppHide(fn?: (res: AppHideResult) => void): void { if (fn === undefined) this.hideListeners.clear(); else this.hideListeners.delete(fn) }

  /** The single funnel; false when the transition is not allowed (e.g. hide() while hidden). */
  private setState(next: AppState): boolean {
    if (!ALLOWED[this.state].includes(next)) return false
    this.state = next
    return true
  }
}
