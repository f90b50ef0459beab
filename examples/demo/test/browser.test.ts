/**
 * The demo in a real browser (Debian's Chromium via playwright-core): two people chat, a reload
 * shows the history, the server restarts mid-conversation and what was typed during the outage
 * arrives exactly once, the stock chart redraws as ticks arrive, the admin page counts the
 * connections. With UPDATE_SCREENSHOTS=1 it also refreshes docs/screenshots/*.png.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test, type TestContext } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startDemo, type Demo } from '../src/server.js'
import { launchChromium, pageErrors, screenshot } from './helpers/browser.js'

let browser: Browser | undefined
let skipReason: string | undefined

before(async () => {
  const launched = await launchChromium()
  if (typeof launched === 'string') {
    skipReason = launched
    console.log(`# skipped: browser tests: ${launched}`)
  } else browser = launched
})
after(async () => {
  await browser?.close()
})

const VIEWPORT = { width: 1200, height: 760 }

/** Runs `body` with a demo server and fresh browser contexts, closing all of them afterwards. */
async function withDemo(t: TestContext, options: Parameters<typeof startDemo>[0], body: (demo: Demo, open: (path: string) => Promise<{ page: Page; context: BrowserContext; errors: string[] }>) => Promise<void>): Promise<void> {
  if (browser === undefined) {
    t.skip(skipReason ?? 'no browser')
    return
  }
  const b = browser
  const contexts: BrowserContext[] = []
  const demo = await startDemo({ port: 0, host: '127.0.0.1', ...options })
  try {
    await body(demo, async (path) => {
      const context = await b.newContext({ viewport: VIEWPORT })
      contexts.push(context)
      const page = await context.newPage()
      const errors = pageErrors(page)
      await page.goto(`http://127.0.0.1:${demo.port}${path}`)
      return { page, context, errors }
    })
  } finally {
    for (const c of contexts) await c.close().catch(() => {})
    await demo.close({ drainMs: 500 })
  }
}

const messageTexts = (page: Page): Promise<string[]> => page.locator('#messages li.msg .text').allTextContents()

async function send(page: Page, text: string): Promise<void> {
  await page.fill('#text', text)
  await page.press('#text', 'Enter')
}

async function waitForText(page: Page, text: string, timeout = 10_000): Promise<void> {
  await page.locator('#messages li.msg .text', { hasText: text }).first().waitFor({ timeout })
}

describe('chat', () => {
  test('two people chat, see each other typing and online; a reload shows the history', { timeout: 60_000 }, (t) =>
    withDemo(t, {}, async (_demo, open) => {
      const alice = await open('/chat?room=lobby&nick=alice')
      const bob = await open('/chat?room=lobby&nick=bob')
      await alice.page.locator('#members [data-nick="bob"]').waitFor({ timeout: 10_000 })
      await bob.page.locator('#members [data-nick="alice"]').waitFor({ timeout: 10_000 })

      const conversation: Array<[Page, string]> = [
        [alice.page, 'Hi Bob! Did you see MSKT this morning?'],
        [bob.page, 'Up almost 2 % in ten minutes.'],
        [alice.page, 'The chart on the stock page updates four times a second.'],
        [bob.page, 'And if I close my laptop, my messages wait in the outbox.'],
      ]
      for (const [page, text] of conversation) {
        await send(page, text)
        for (const p of [alice.page, bob.page]) await waitForText(p, text)
      }
      const expected = conversation.map(([, text]) => text)
      assert.deepEqual(await messageTexts(alice.page), expected)
      assert.deepEqual(await messageTexts(bob.page), expected)

      await bob.page.fill('#text', 'Nice, let me try')
      await bob.page.dispatchEvent('#text', 'input')
      await alice.page.locator('#typing', { hasText: 'bob is typing…' }).waitFor({ timeout: 5000 })

      await bob.page.reload()
      await waitForText(bob.page, expected.at(-1)!)
      assert.deepEqual(await messageTexts(bob.page), expected, 'history after a reload, in order, once')
      assert.equal(await alice.page.locator('#status').getAttribute('data-state'), 'connected')
      await bob.page.fill('#text', 'Nice, let me try')
      await bob.page.dispatchEvent('#text', 'input')
      await alice.page.locator('#typing', { hasText: 'bob is typing…' }).waitFor({ timeout: 5000 })
      await screenshot(alice.page, 'chat')
      assert.deepEqual([...alice.errors, ...bob.errors], [])
    }),
  )

  test('server restarted mid-conversation: messages typed during the outage arrive once, even from a closed tab', { timeout: 90_000 }, async (t) => {
    if (browser === undefined) return void t.skip(skipReason ?? 'no browser')
    const b = browser
    const contexts: BrowserContext[] = []
    let demo: Demo | undefined = await startDemo({ port: 0, host: '127.0.0.1', shutdownRetryAfterMs: 200 })
    const port = demo.port
    try {
      const open = async (nick: string, context?: BrowserContext) => {
        if (context === undefined) {
          context = await b.newContext({ viewport: VIEWPORT })
          contexts.push(context)
        }
        const page = await context.newPage()
        await page.goto(`http://127.0.0.1:${port}/chat?room=restart&nick=${nick}`)
        return page
      }
      let alice = await open('alice')
      const bob = await open('bob')
      await alice.locator('#members [data-nick="bob"]').waitFor({ timeout: 10_000 })
      await send(alice, 'before 1')
      await send(bob, 'before 2')
      for (const p of [alice, bob]) await waitForText(p, 'before 2')

      await demo.close({ drainMs: 1000 })
      demo = undefined
      for (const p of [alice, bob]) await p.locator('#status:not([data-state="connected"])').waitFor({ timeout: 10_000 })
      await send(alice, 'during A1')
      await send(alice, 'during A2')
      await send(bob, 'during B1')
      // Offline: shown as waiting, counted in the badge, and the badge counts down to the next try.
      await alice.locator('#messages li.msg.queued .text', { hasText: 'during A2' }).waitFor({ timeout: 5000 })
      await alice.locator('#status .extra', { hasText: '2 unsent' }).waitFor({ timeout: 5000 })
      await alice.locator('#status .label', { hasText: /^Reconnecting in \d+ s/ }).waitFor({ timeout: 10_000 })
      // Alice even closes her tab: her two messages wait in localStorage, not in the page.
      const aliceContext = alice.context()
      await alice.close()

      demo = await startDemo({ port, host: '127.0.0.1' })
      alice = await open('alice', aliceContext)
      const during = ['during A1', 'during A2', 'during B1']
      for (const p of [alice, bob]) {
        for (const text of during) await waitForText(p, text, 30_000)
        await p.locator('#status[data-state="connected"]').waitFor({ timeout: 10_000 })
        await p.waitForFunction(() => document.querySelectorAll('#messages li.queued, #messages li.sending').length === 0, undefined, { timeout: 10_000 })
      }
      // Let any late duplicate show up before counting.
      await alice.waitForTimeout(500)
      for (const p of [alice, bob]) {
        const texts = await messageTexts(p)
        for (const text of during) assert.equal(texts.filter((x) => x === text).length, 1, `"${text}" exactly once in ${texts.join(' | ')}`)
        assert.ok(texts.indexOf('during A1') < texts.indexOf('during A2'), 'outbox order kept')
      }
      // Bob's page lived through the restart: it keeps the old messages, before the new epoch's.
      const bobTexts = await messageTexts(bob)
      assert.deepEqual(bobTexts.slice(0, 2), ['before 1', 'before 2'])
      assert.equal(bobTexts.length, 5)
      // The restarted server lost its memory history; the outbox published each message once.
      const history = await demo.server.history('chat:restart')
      assert.deepEqual(history.publications.map((p) => (p.data as { text: string }).text).sort(), [...during].sort())
    } finally {
      for (const c of contexts) await c.close().catch(() => {})
      await demo?.close({ drainMs: 500 })
    }
  })
})

test('the stock chart redraws as ticks arrive', { timeout: 60_000 }, (t) =>
  withDemo(t, {}, async (_demo, open) => {
    const { page, errors } = await open('/stock?symbol=MSKT')
    type StockWindow = { demo: { stock: { data(): Array<{ time: number; close?: number; value?: number }>; ticks: number } } }
    await page.waitForFunction(() => (window as unknown as StockWindow).demo?.stock?.data().length > 10, undefined, { timeout: 15_000 })
    const lastBar = () => page.evaluate(() => JSON.stringify((window as unknown as StockWindow).demo.stock.data().at(-1)))
    const before = await lastBar()
    await page.waitForTimeout(300) // let the chart paint the bars it has
    const pixelsBefore = await page.locator('#chart').screenshot()
    await page.waitForFunction((prev) => JSON.stringify((window as unknown as StockWindow).demo.stock.data().at(-1)) !== prev, before, { timeout: 10_000 })
    await page.waitForTimeout(300)
    const pixelsAfter = await page.locator('#chart').screenshot()
    assert.notEqual(await lastBar(), before, 'the series data changed')
    assert.ok(!pixelsBefore.equals(pixelsAfter), 'the canvas pixels changed')
    const ticks = await page.evaluate(() => (window as unknown as StockWindow).demo.stock.ticks)
    assert.ok(ticks > 0)

    await page.click('#modes button[data-mode="line"]')
    const line = await page.evaluate(() => (window as unknown as StockWindow).demo.stock.data())
    assert.ok(line.length > 10 && typeof line.at(-1)!.value === 'number', 'line mode draws closes')
    await page.click('#modes button[data-mode="candles"]')
    await page.waitForTimeout(300)
    await screenshot(page, 'stock')
    assert.deepEqual(errors, [])
  }),
)

test('the admin page shows the right connection count', { timeout: 60_000 }, (t) =>
  withDemo(t, { statsIntervalMs: 250 }, async (_demo, open) => {
    const admin = await open('/admin')
    const count = (n: number) => admin.page.locator('#connections', { hasText: new RegExp(`^${n}$`) }).waitFor({ timeout: 10_000 })
    await count(1)
    const chat1 = await open('/chat?room=ops&nick=carol')
    await open('/chat?room=ops&nick=dave')
    await open('/stock')
    await count(4)
    await chat1.context.close()
    await count(3)
    await admin.page.locator('#disconnects tr td code').first().waitFor({ timeout: 10_000 })
    type AdminWindow = { demo: { admin: { data(): unknown[] } } }
    await admin.page.waitForFunction(() => (window as unknown as AdminWindow).demo.admin.data().length >= 5, undefined, { timeout: 15_000 })
    await screenshot(admin.page, 'admin')
    assert.deepEqual(admin.errors, [])
  }),
)
