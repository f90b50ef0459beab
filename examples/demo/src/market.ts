/**
 * A simulated stock market: a few symbols whose prices take a seeded random walk, ticking several
 * times a second and rolled up into fixed-interval candles. Deterministic for a given seed and
 * clock, so tests on a FakeClock can assert exact prices.
 *
 * @example
 * const market = createMarket({ clock, seed: 7, onStep: (ticks) => ticks.forEach((t) => server.publish(`stock:${t.symbol}`, t)) })
 * market.start()
 */
import type { Clock } from '@minisocket/server'

export interface SymbolSpec {
  symbol: string
  name: string
  /** Opening price. */
  open: number
}

export const DEFAULT_SYMBOLS: readonly SymbolSpec[] = [
  { symbol: 'MSKT', name: 'MiniSocket Holdings', open: 128.4 },
  { symbol: 'WXPAY', name: 'Weixin Payments', open: 311.2 },
  { symbol: 'UNIAP', name: 'Uni Apps Group', open: 74.15 },
  { symbol: 'ACME', name: 'Acme Rockets', open: 52.3 },
  { symbol: 'CHIPS', name: 'Chips & Silicon', open: 18.92 },
]

/** One OHLC bar. `time` is the bar's start in whole seconds (lightweight-charts' UTCTimestamp). */
export interface Candle {
  time: number
  open: number
  high: number
  low: number
  close: number
}

/** What is published on `stock:SYMBOL` at every tick. */
export interface Tick {
  symbol: string
  price: number
  /** Since the opening price. */
  change: number
  changePct: number
  /** ms since the epoch. */
  at: number
  /** The bar this tick belongs to, including it. */
  candle: Candle
}

export interface MarketOptions {
  clock: Clock
  /** Same seed, same prices. Default 1. */
  seed?: number
  symbols?: readonly SymbolSpec[]
  /** Interval between ticks of one symbol, ms. Default 250 (4 ticks/s). */
  tickMs?: number
  /** Candle length, ms; a multiple of 1000. Default 5000. */
  candleMs?: number
  /** Closed candles kept per symbol. Default 120. */
  maxCandles?: number
  /** Candles of past prices simulated at creation, so a chart opened at once is not empty. Default 60. */
  warmupCandles?: number
  /** Called after every step with one tick per symbol. */
  onStep?: (ticks: Tick[]) => void
}

export interface Market {
  readonly state: MarketState
  readonly symbols: readonly SymbolSpec[]
  start(): void
  stop(): void
  /** Runs one tick of every symbol now (the timer calls this). */
  step(): Tick[]
  /** The latest tick of every symbol, in `symbols` order. */
  snapshot(): Tick[]
  /** Closed candles plus the current one, oldest first; [] for an unknown symbol. */
  candles(symbol: string): Candle[]
}

export type MarketState = 'stopped' | 'running'

/** mulberry32: small, fast and good enough for a price walk. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const round2 = (n: number): number => Math.round(n * 100) / 100

interface Book {
  spec: SymbolSpec
  price: number
  closed: Candle[]
  current: Candle | undefined
  last: Tick | undefined
}

export function createMarket(options: MarketOptions): Market {
  const { clock } = options
  const tickMs = options.tickMs ?? 250
  const candleMs = options.candleMs ?? 5000
  const maxCandles = options.maxCandles ?? 120
  if (!(tickMs > 0) || !(candleMs >= 1000) || candleMs % 1000 !== 0) throw new RangeError('market: tickMs > 0 and candleMs a multiple of 1000 are required')
  const symbols = options.symbols ?? DEFAULT_SYMBOLS
  const random = seeded(options.seed ?? 1)
  const books = new Map<string, Book>(symbols.map((spec) => [spec.symbol, { spec, price: spec.open, closed: [], current: undefined, last: undefined }]))
  let state: MarketState = 'stopped'
  let timer: unknown

  const setState = (next: MarketState): void => {
    state = next
  }

  /** Gaussian step (Box-Muller) with a pull back towards the open, so prices stay plausible for hours. */
  const move = (book: Book): number => {
    const u = Math.max(random(), 1e-12)
    const gauss = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
    const drift = 0.002 * Math.log(book.spec.open / book.price)
    return Math.max(0.01, round2(book.price * Math.exp(0.0015 * gauss + drift)))
  }

  const tickOf = (book: Book, at: number): Tick => {
    const price = move(book)
    book.price = price
    const time = Math.floor(at / candleMs) * (candleMs / 1000)
    let bar = book.current
    if (bar === undefined || bar.time !== time) {
      if (bar !== undefined) {
        book.closed.push(bar)
        if (book.closed.length > maxCandles) book.closed.shift()
      }
      bar = { time, open: price, high: price, low: price, close: price }
      book.current = bar
    } else {
      bar.high = Math.max(bar.high, price)
      bar.low = Math.min(bar.low, price)
      bar.close = price
    }
    const change = round2(price - book.spec.open)
    const tick: Tick = { symbol: book.spec.symbol, price, change, changePct: round2((change / book.spec.open) * 100), at, candle: { ...bar } }
    book.last = tick
    return tick
  }

  const step = (): Tick[] => {
    const at = clock.now()
    const ticks = [...books.values()].map((book) => tickOf(book, at))
    options.onStep?.(ticks)
    return ticks
  }

  const loop = (): void => {
    timer = undefined
    if (state !== 'running') return
    step()
    timer = clock.setTimeout(loop, tickMs)
  }

  // Simulate the recent past (one step a second), ending now: the snapshot is never empty and
  // a chart opened right after startup already has bars.
  const warmupSteps = Math.max(0, Math.floor(((options.warmupCandles ?? 60) * candleMs) / 1000))
  const start = clock.now()
  for (let i = warmupSteps; i >= 0; i--) for (const book of books.values()) tickOf(book, start - i * 1000)

  return {
    get state() {
      return state
    },
    symbols,
    start() {
      if (state === 'running') return
      setState('running')
      timer = clock.setTimeout(loop, tickMs)
    },
    stop() {
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
      setState('stopped')
    },
    step,
    snapshot: () => [...books.values()].flatMap((book) => (book.last ? [book.last] : [])),
    candles(symbol) {
      const book = books.get(symbol)
      if (book === undefined) return []
      return [...book.closed, ...(book.current ? [book.current] : [])].map((c) => ({ ...c }))
    },
  }
}
