/**
 * The browser adapter in a real browser: the adapter contract run against Debian's Chromium's own
 * WebSocket (browser.test.ts runs it on `ws`'s class, which only imitates the WHATWG surface).
 *
 * The adapter is bundled with esbuild and runs in the page; the contract suite drives it from
 * Node through a thin bridge (page.evaluate for open/send/close, an exposed binding for events).
 * What the suite checks about payloads is decided in the page: a message is reported as text
 * only if the browser handed the adapter a string, as bytes only if it was an ArrayBuffer.
 */
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import { chromiumMissing, launchChromium } from '@minisocket/testkit/chromium'
import type { SocketAdapter, SocketHandlers } from '../../src/core/adapter.js'
import { runAdapterContract } from '../contract/adapter-contract.js'

const adapterSource = fileURLToPath(new URL('../../src/adapters/browser.ts', import.meta.url))

type Wire = { kind: 'open' } | { kind: 'text'; text: string } | { kind: 'bytes'; bytes: number[] } | { kind: 'other'; what: string } | { kind: 'close'; code: number; reason: string } | { kind: 'error' }

declare const MS: { browserAdapter(): SocketAdapter }
declare function __msEvent(id: number, event: Wire): void
declare const __msSockets: Map<number, { send(d: string | ArrayBuffer): void; close(c: number, r: string): void }>

let browser: Browser | undefined
let page: Page | undefined
const handlers = new Map<number, SocketHandlers>()
let nextId = 1
/** Bridge calls in flight: the last close() of a test may still be on its way when the file ends. */
const inFlight = new Set<Promise<unknown>>()

/** Runs a bridge call without making the adapter async; a failure surfaces as the socket's error. */
function bridge(id: number, call: Promise<unknown>): void {
  const tracked = call.catch((err: unknown) => handlers.get(id)?.onError(err)).finally(() => inFlight.delete(tracked))
  inFlight.add(tracked)
}

async function openPage(): Promise<Page> {
  const bundle = await build({ entryPoints: [adapterSource], bundle: true, format: 'iife', globalName: 'MS', platform: 'browser', write: false, logLevel: 'silent' })
  const launched = await launchChromium()
  if (typeof launched === 'string') throw new Error(launched)
  browser = launched
  const p = await browser.newPage()
  await p.exposeBinding('__msEvent', (_source, id: number, event: Wire) => {
    const h = handlers.get(id)
    if (h === undefined) return
    if (event.kind === 'open') h.onOpen()
    else if (event.kind === 'text') h.onMessage(event.text)
    else if (event.kind === 'bytes') h.onMessage(new Uint8Array(event.bytes).buffer)
    // Neither a string nor an ArrayBuffer: hand the contract something it will reject.
    else if (event.kind === 'other') h.onMessage(event.what as unknown as ArrayBuffer)
    else if (event.kind === 'close') h.onClose(event.code, event.reason)
    else h.onError(new Error('WebSocket error event'))
  })
  // tsx compiles this file with esbuild's keepNames, which wraps named functions in __name(...):
  // functions serialized by page.evaluate then need that helper in the page too.
  await p.addScriptTag({ content: `${bundle.outputFiles[0]!.text}\nwindow.__msSockets = new Map()\nwindow.__name = (f) => f` })
  return p
}

/** A SocketAdapter whose sockets live in the page: the real browserAdapter over Chromium's WebSocket. */
function chromiumAdapter(p: Page): SocketAdapter {
  return {
    name: 'browser (Chromium)',
    open(url, options, h) {
      const id = nextId++
      handlers.set(id, h)
      bridge(id, p.evaluate(([id, url, protocols]) => {
        const report = (event: Wire): void => void __msEvent(id, event)
        const socket = MS.browserAdapter().open(url, { protocols }, {
          onOpen: () => report({ kind: 'open' }),
          onMessage: (d) => report(typeof d === 'string' ? { kind: 'text', text: d } : d instanceof ArrayBuffer ? { kind: 'bytes', bytes: [...new Uint8Array(d)] } : { kind: 'other', what: Object.prototype.toString.call(d) }),
          onClose: (code, reason) => report({ kind: 'close', code, reason }),
          onError: () => report({ kind: 'error' }),
        })
        __msSockets.set(id, socket)
      }, [id, url, [...(options.protocols ?? [])]] as const))
      return {
        send: (data) => bridge(id, p.evaluate(([id, d]) => __msSockets.get(id)?.send(typeof d === 'string' ? d : new Uint8Array(d).buffer), [id, typeof data === 'string' ? data : [...new Uint8Array(data)]] as const)),
        close: (code, reason) => bridge(id, p.evaluate(([id, code, reason]) => __msSockets.get(id)?.close(code, reason), [id, code, reason] as const)),
      }
    },
  }
}

const missing = chromiumMissing() // throws under CI: .ci/run installs Chromium
if (missing !== undefined) {
  console.log(`# skipped adapter contract in Chromium: ${missing}`)
  test('adapter contract: browser in Chromium', { skip: missing }, () => undefined)
} else {
  before(async () => {
    page = await openPage()
  })
  after(async () => {
    await Promise.allSettled([...inFlight])
    handlers.clear()
    await browser?.close()
  })
  runAdapterContract({
    name: 'browser in Chromium',
    makeAdapter: () => chromiumAdapter(page!),
    skip: { headers: 'browsers cannot set request headers on a WebSocket upgrade (send the token through the token provider)' },
  })
}
