/**
 * What every demo page shares: the client (browser entry), the connection badge with its
 * "reconnecting in N s" countdown, and a tiny DOM helper.
 */
import { closeCodeInfo } from '@minisocket/protocol'
import { createClient, type Client, type ClientState } from '@minisocket/client/browser'
import type { BrowserClientOptions } from '@minisocket/client/browser'

export type { Client }

/** `ws://host/ws` (or `wss://` behind TLS) of the server that served this page. */
export function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`
}

export interface DemoClient {
  client: Client
  /** When the next reconnect attempt is due (ms since the epoch), while `disconnected`. */
  readonly retryAt: number | undefined
}

/**
 * Creates the page's client. The clock passed in is the real one, wrapped to remember the last
 * timer it armed: the client arms its retry timer right before it moves to `disconnected`, so
 * that delay is the "reconnecting in N s" the badge counts down.
 */
export function connectDemo(options: Omit<BrowserClientOptions, 'url' | 'clock'>): DemoClient {
  let lastDelay = 0
  let retryAt: number | undefined
  const client = createClient({
    url: wsUrl(),
    backoff: { min: 500, max: 5000 },
    ...options,
    clock: {
      now: () => Date.now(),
      setTimeout: (fn: () => void, ms: number) => {
        lastDelay = ms
        return window.setTimeout(fn, ms)
      },
      clearTimeout: (handle: unknown) => window.clearTimeout(handle as number),
    },
  })
  client.on('state', ({ to }) => {
    retryAt = to === 'disconnected' ? Date.now() + lastDelay : undefined
  })
  return {
    client,
    get retryAt() {
      return retryAt
    },
  }
}

const LABELS: Record<ClientState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  disconnected: 'Reconnecting…',
  suspended: 'Suspended (tab hidden)',
  closed: 'Offline',
}

/**
 * Keeps `badge` showing the connection state; while disconnected, counts down to the next
 * attempt and offers "retry now". `extra()` adds a line (e.g. messages waiting in the outbox).
 */
export function showConnection(badge: HTMLElement, demo: DemoClient, extra: () => string = () => ''): () => void {
  const { client } = demo
  let lastCode = 0
  const render = (): void => {
    const state = client.state
    let text = LABELS[state]
    if (state === 'disconnected' && demo.retryAt !== undefined) {
      const seconds = Math.max(0, Math.ceil((demo.retryAt - Date.now()) / 1000))
      text = seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…'
    }
    const why = state !== 'connected' && lastCode !== 0 ? ` · ${closeCodeInfo(lastCode).name} ${lastCode}` : ''
    badge.dataset.state = state
    badge.replaceChildren(h('span', { class: 'dot' }), h('span', { class: 'label' }, text + why))
    const more = extra()
    if (more) badge.append(h('span', { class: 'extra' }, more))
    if (state === 'disconnected' || state === 'closed') {
      const retry = h('button', { type: 'button', class: 'link' }, 'retry now')
      retry.addEventListener('click', () => client.reconnect())
      badge.append(retry)
    }
  }
  const off = client.on('state', ({ code }) => {
    lastCode = code
    render()
  })
  const timer = window.setInterval(render, 500)
  render()
  return () => {
    off()
    window.clearInterval(timer)
  }
}

/**
 * Suspends the client when the tab stays hidden for `graceMs`, like a mini-program in the
 * background: the server keeps the session and shows this user `away` (G7); showing the tab
 * resumes at once and the subscriptions recover what was missed.
 */
export function suspendWhenHidden(client: Client, graceMs = 5000): void {
  let timer: number | undefined
  document.addEventListener('visibilitychange', () => {
    window.clearTimeout(timer)
    if (document.visibilityState === 'hidden') timer = window.setTimeout(() => client.suspend(), graceMs)
    else client.resume()
  })
}

type Attrs = Record<string, string | number | boolean | undefined>

/** `h('li', { class: 'msg' }, 'text', child)`: an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue
    el.setAttribute(key, value === true ? '' : String(value))
  }
  el.append(...children)
  return el
}

/** The element with this id; throws a clear error when the HTML lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (el === null) throw new Error(`demo page: #${id} is missing from the HTML`)
  return el as T
}

/** A stable colour per name (avatars, series). */
export function colorOf(name: string): string {
  let hash = 0
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0
  return `hsl(${Math.abs(hash) % 360} 55% 45%)`
}

export function timeOf(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

/** What the pages expose to the browser tests and to curious people in the console. */
export function expose(name: string, value: unknown): void {
  const w = window as unknown as { demo?: Record<string, unknown> }
  w.demo ??= {}
  w.demo[name] = value
}
