/**
 * The demo's pieces without a network: the market and the admin feed on a FakeClock, the chat
 * message rules, the web chat log (dedupe and order), the mini-program chart on a recording
 * canvas, the shared mini-program modules being identical copies, and the client bundles.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import type { ServerStats } from '@minisocket/server'
import { createAdminFeed, type AdminSample } from '../src/admin.js'
import { isChatMessage, isTypingSignal } from '../src/channels.js'
import { createMarket, DEFAULT_SYMBOLS, type Tick } from '../src/market.js'
import { ChatLog } from '../src/pages/chat-log.js'
import { examplesDir, loadExample } from './helpers/mp.js'

describe('market', () => {
  test('same seed and clock, same prices; ticks every tickMs for every symbol', () => {
    const run = (seed: number) => {
      const clock = new FakeClock(1_700_000_000_000)
      const steps: Tick[][] = []
      const market = createMarket({ clock, seed, tickMs: 250, onStep: (t) => steps.push(t) })
      market.start()
      clock.advance(2500)
      market.stop()
      clock.advance(1000)
      return steps
    }
    const a = run(7)
    assert.equal(a.length, 10, '10 steps in 2.5 s, none after stop')
    for (const step of a) assert.deepEqual(step.map((t) => t.symbol), DEFAULT_SYMBOLS.map((s) => s.symbol))
    assert.deepEqual(run(7), a)
    assert.notDeepEqual(run(8), a)
  })

  test('candles: OHLC consistent, aligned to candleMs, bounded, warm-up fills the chart', () => {
    const clock = new FakeClock(1_700_000_000_000)
    const market = createMarket({ clock, tickMs: 200, candleMs: 5000, maxCandles: 30, warmupCandles: 10 })
    assert.ok(market.candles('MSKT').length >= 10, 'warm-up bars before the first tick')
    market.start()
    clock.advance(60_000)
    const bars = market.candles('MSKT')
    assert.ok(bars.length <= 31, 'closed bars bounded by maxCandles (+ the current one)')
    for (const [i, c] of bars.entries()) {
      assert.equal(c.time % 5, 0)
      assert.ok(c.low <= Math.min(c.open, c.close) && c.high >= Math.max(c.open, c.close), `bar ${i} OHLC`)
      if (i > 0) assert.equal(c.time - bars[i - 1]!.time, 5, 'consecutive bars')
    }
    const last = market.snapshot().find((t) => t.symbol === 'MSKT')!
    assert.equal(last.price, bars.at(-1)!.close)
    assert.equal(last.candle.close, last.price)
    assert.deepEqual(market.candles('NOPE'), [])
    market.stop()
  })

  test('refuses a candle length that is not whole seconds', () => {
    assert.throws(() => createMarket({ clock: new FakeClock(), candleMs: 1500 }), /multiple of 1000/)
  })
})

describe('admin feed', () => {
  test('turns counters into per-second rates, names close codes, bounds the disconnect list', () => {
    const clock = new FakeClock()
    const stats: ServerStats = { connections: 3, channels: 2, subscriptions: 4, messagesIn: 0, messagesOut: 0, publications: 0, recentDisconnects: [] }
    const samples: AdminSample[] = []
    const feed = createAdminFeed({ clock, stats: () => ({ ...stats }), plainClients: () => 1, publish: (s) => samples.push(s), maxDisconnects: 2 })
    feed.start()
    stats.messagesIn = 20
    stats.messagesOut = 50
    stats.publications = 5
    stats.recentDisconnects = [1, 2, 3].map((i) => ({ at: i, code: 4001, reason: 'no pong', user: '' }))
    clock.advance(2000)
    assert.equal(samples.length, 2)
    assert.deepEqual({ in: samples[0]!.messagesInPerSec, out: samples[0]!.messagesOutPerSec, pubs: samples[0]!.publicationsPerSec }, { in: 20, out: 50, pubs: 5 })
    assert.deepEqual({ in: samples[1]!.messagesInPerSec, out: samples[1]!.messagesOutPerSec }, { in: 0, out: 0 })
    assert.equal(samples[0]!.recentDisconnects.length, 2)
    assert.equal(samples[0]!.recentDisconnects[0]!.name, 'HeartbeatTimeout')
    assert.equal(samples[0]!.plainClients, 1)
    feed.stop()
    clock.advance(5000)
    assert.equal(samples.length, 2, 'nothing after stop')
  })
})

describe('chat rules', () => {
  test('chat messages and typing signals: the accepted shapes and their limits', () => {
    assert.ok(isChatMessage({ id: 'a', nick: 'ann', text: 'hi', at: 1 }))
    for (const bad of [null, 'hi', [], { id: 'a', nick: 'ann', text: ' ', at: 1 }, { id: 'a', nick: 'x'.repeat(33), text: 'hi', at: 1 }, { id: 'a', nick: 'ann', text: 'x'.repeat(1001), at: 1 }, { id: 'a', nick: 'ann', text: 'hi' }]) {
      assert.ok(!isChatMessage(bad as never), JSON.stringify(bad))
    }
    assert.ok(isTypingSignal({ nick: 'ann', typing: true }))
    assert.ok(!isTypingSignal({ nick: 'ann', typing: 'yes' }))
  })

  test('ChatLog: one entry per id, ordered by epoch then offset, pending last', () => {
    const log = new ChatLog(4)
    const m = (id: string) => ({ id, nick: 'ann', text: id, at: 0 })
    log.local(m('mine'), 'queued')
    log.received(m('b'), 'e1', 2)
    log.received(m('a'), 'e1', 1)
    assert.equal(log.received(m('a'), 'e1', 1), false, 'seen twice → no change')
    log.received(m('c'), 'e2', 1) // a new epoch after a server restart sorts after the old one
    assert.deepEqual(log.list().map((e) => e.id), ['a', 'b', 'c', 'mine'])
    assert.equal(log.pending, 1)
    log.received(m('mine'), 'e2', 2)
    assert.equal(log.get('mine')?.status, 'sent')
    log.mark('mine', 'failed', 'late')
    assert.equal(log.get('mine')?.status, 'failed', 'a refusal after the echo still shows')
    log.received(m('d'), 'e2', 3)
    assert.equal(log.size, 4, 'bounded: the oldest went')
    assert.equal(log.get('a'), undefined)
  })
})

describe('mini-program shared modules', () => {
  test('the WeChat and uni-app copies are identical', () => {
    for (const name of ['chat-controller.js', 'stock-controller.js', 'chart.js', 'app-options.js']) {
      const wx = readFileSync(join(examplesDir, 'wechat-miniprogram/lib', name), 'utf8')
      const uni = readFileSync(join(examplesDir, 'uniapp/common', name), 'utf8')
      assert.equal(uni, wx, `examples/uniapp/common/${name} differs from examples/wechat-miniprogram/lib/${name}`)
    }
  })

  test('drawChart draws one bar per candle that fits, the line mode, and an empty state', async () => {
    const { drawChart } = await loadExample<{ drawChart: (ctx: unknown, w: number, h: number, c: unknown[], o?: object) => { drawn: number; min: number; max: number } }>('wechat-miniprogram/lib/chart.js')
    const calls: string[] = []
    const ctx = new Proxy({} as Record<string, unknown>, {
      get: (_t, key) => (...args: unknown[]) => calls.push(`${String(key)}(${args.length})`),
      set: () => true,
    })
    const candles = Array.from({ length: 100 }, (_, i) => ({ time: i * 5, open: 10 + i, high: 12 + i, low: 9 + i, close: 11 + i }))
    const summary = drawChart(ctx, 300, 200, candles, { barWidth: 8 })
    const fits = Math.floor((300 - 52 - 10) / 8)
    assert.equal(summary.drawn, fits)
    assert.equal(summary.max, 12 + 99)
    assert.equal(summary.min, 9 + 100 - fits)
    // background + one body per bar + the last-price label
    assert.equal(calls.filter((c) => c.startsWith('fillRect')).length, 1 + fits + 1)
    calls.length = 0
    assert.equal(drawChart(ctx, 300, 200, candles.slice(0, 3), { mode: 'line' }).drawn, 3)
    assert.equal(calls.filter((c) => c.startsWith('lineTo')).length, 5 + 2, 'grid lines + the price line')
    calls.length = 0
    assert.equal(drawChart(ctx, 300, 200, []).drawn, 0)
    assert.ok(calls.includes('fillText(3)'))
  })

  for (const [dir, entry] of [['wechat-miniprogram', '@minisocket/client/wx'], ['uniapp', '@minisocket/client/uni']] as const) {
    test(`${dir}/build.mjs bundles ${entry} into one file with no imports`, async (t) => {
      const { buildClient } = await loadExample<{ buildClient: (out: string) => Promise<number> }>(`${dir}/build.mjs`)
      const out = mkdtempSync(join(tmpdir(), 'minisocket-mp-'))
      try {
        let bytes: number
        try {
          bytes = await buildClient(join(out, 'minisocket.js'))
        } catch (error) {
          if (!/Could not resolve "@minisocket\/client\/(wx|uni)"/.test(String(error))) throw error
          const reason = `${entry} is not available yet: the bundle cannot be built`
          console.log(`# skipped: ${reason}`)
          t.skip(reason)
          return
        }
        const code = readFileSync(join(out, 'minisocket.js'), 'utf8')
        assert.ok(bytes > 1000 && bytes < 40_000, `bundle size ${bytes}`)
        assert.ok(!/\bimport\s*[{*\w]|\brequire\(/.test(code.replace(/^\/\/.*\n/, '')), 'self-contained')
        assert.match(code, /createClient/)
      } finally {
        rmSync(out, { recursive: true, force: true })
      }
    })
  }
})
