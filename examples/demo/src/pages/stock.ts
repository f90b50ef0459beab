/**
 * The stock page: a ticker list fed by the `stock:SYMBOL` channels (several ticks a second) and
 * a live candlestick or line chart (lightweight-charts) of the selected symbol. The first bars
 * come from the `stock.candles` RPC; ticks then update the last bar.
 * URL: /stock?symbol=MSKT (optional).
 */
import { CandlestickSeries, ColorType, createChart, LineSeries, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts'
import type { Json } from '@minisocket/client/browser'
import { byId, connectDemo, expose, h, showConnection, suspendWhenHidden } from './common.js'

interface Candle {
  time: number
  open: number
  high: number
  low: number
  close: number
}
interface Tick {
  symbol: string
  name?: string
  price: number
  change: number
  changePct: number
  at: number
  candle: Candle
}

const isTick = (d: Json): d is Json & Tick => typeof d === 'object' && d !== null && !Array.isArray(d) && typeof d.symbol === 'string' && typeof d.price === 'number' && typeof d.candle === 'object'

const demo = connectDemo({})
const { client } = demo
const params = new URLSearchParams(location.search)
let selected = params.get('symbol') ?? ''
let mode: 'candles' | 'line' = params.get('mode') === 'line' ? 'line' : 'candles'
let ticks = 0
const rows = new Map<string, HTMLElement>()
const names = new Map<string, string>()

const chartBox = byId('chart')
const chart = createChart(chartBox, {
  autoSize: true,
  layout: { background: { type: ColorType.Solid, color: '#0f1522' }, textColor: '#c7d0e0', fontFamily: 'system-ui, sans-serif' },
  grid: { vertLines: { color: '#1c2536' }, horzLines: { color: '#1c2536' } },
  timeScale: { timeVisible: true, secondsVisible: true, borderColor: '#2a3448' },
  rightPriceScale: { borderColor: '#2a3448' },
})
const candles: ISeriesApi<'Candlestick'> = chart.addSeries(CandlestickSeries, { upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350' })
const line: ISeriesApi<'Line'> = chart.addSeries(LineSeries, { color: '#4f8cff', lineWidth: 2, visible: false })

const bar = (c: Candle) => ({ ...c, time: c.time as UTCTimestamp })
const point = (c: Candle) => ({ time: c.time as UTCTimestamp, value: c.close })
const fmt = (n: number): string => n.toFixed(2)
const signed = (n: number): string => (n > 0 ? '+' : '') + n.toFixed(2)

function setMode(next: 'candles' | 'line'): void {
  mode = next
  candles.applyOptions({ visible: mode === 'candles' })
  line.applyOptions({ visible: mode === 'line' })
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('#modes button'))) b.classList.toggle('active', b.dataset.mode === mode)
}

async function select(symbol: string): Promise<void> {
  selected = symbol
  history.replaceState(null, '', `?symbol=${encodeURIComponent(symbol)}${mode === 'line' ? '&mode=line' : ''}`)
  for (const [s, row] of rows) row.classList.toggle('active', s === symbol)
  byId('symbol').textContent = `${symbol} · ${names.get(symbol) ?? ''}`
  try {
    const data = (await client.rpc('stock.candles', { symbol })) as unknown as Candle[]
    if (symbol !== selected) return
    candles.setData(data.map(bar))
    line.setData(data.map(point))
    chart.timeScale().fitContent()
  } catch (error) {
    console.warn('stock.candles failed', error)
  }
}

function onTick(t: Tick): void {
  ticks++
  const row = rows.get(t.symbol)
  if (row !== undefined) {
    const dir = t.change >= 0 ? 'up' : 'down'
    row.querySelector('.price')!.textContent = fmt(t.price)
    const change = row.querySelector('.change')!
    change.textContent = `${signed(t.changePct)}%`
    change.className = `change ${dir}`
    row.classList.remove('flash-up', 'flash-down')
    void row.offsetWidth // restart the flash animation
    row.classList.add(`flash-${dir}`)
  }
  if (t.symbol !== selected) return
  byId('last').textContent = fmt(t.price)
  const change = byId('change')
  change.textContent = `${signed(t.change)} (${signed(t.changePct)}%)`
  change.className = `change ${t.change >= 0 ? 'up' : 'down'}`
  try {
    // update() appends a new bar or replaces the last one with the same time.
    candles.update(bar(t.candle))
    line.update(point(t.candle))
  } catch {
    // A tick older than the last bar (a reply raced a reload): the next one fixes it.
  }
}

function renderTickers(list: Tick[]): void {
  byId('tickers').replaceChildren(
    ...list.map((t) => {
      names.set(t.symbol, t.name ?? t.symbol)
      const row = h('li', { class: 'ticker', 'data-symbol': t.symbol }, h('span', { class: 'sym' }, t.symbol), h('span', { class: 'name' }, t.name ?? ''), h('span', { class: 'price' }, fmt(t.price)), h('span', { class: `change ${t.change >= 0 ? 'up' : 'down'}` }, `${signed(t.changePct)}%`))
      row.addEventListener('click', () => void select(t.symbol))
      rows.set(t.symbol, row)
      return row
    }),
  )
}

async function start(): Promise<void> {
  const list = (await client.rpc('stock.symbols')) as unknown as Tick[]
  renderTickers(list)
  if (!list.some((t) => t.symbol === selected)) selected = list[0]?.symbol ?? ''
  for (const t of list) {
    client.subscribe(`stock:${t.symbol}`, {
      publication: (p) => {
        if (isTick(p.data)) onTick(p.data)
      },
      // After an outage the stream may have moved on without us: redraw from the server's bars.
      subscribed: (e) => {
        if (e.reload && t.symbol === selected) void select(selected)
      },
    })
  }
  await select(selected)
}

for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('#modes button'))) b.addEventListener('click', () => setMode(b.dataset.mode === 'line' ? 'line' : 'candles'))
setMode(mode)
showConnection(byId('status'), demo)
suspendWhenHidden(client)
client.connect()
void start().catch((error: unknown) => {
  byId('symbol').textContent = `could not load the market: ${String(error)}`
})
expose('stock', {
  client,
  get selected() {
    return selected
  },
  get ticks() {
    return ticks
  },
  /** What the chart draws right now. */
  data: () => (mode === 'candles' ? candles.data() : line.data()),
})
