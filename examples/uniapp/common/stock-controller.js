/**
 * The stock page's logic without a framework (shared by the WeChat and uni-app pages; identical
 * copies, checked by a test). The first bars come from the `stock.candles` RPC, then every tick on
 * `stock:SYMBOL` updates the last bar (or opens a new one).
 *
 * @example
 * const stock = createStockController({ client, symbol: 'MSKT', onChange: (p) => page.setData(p), onCandles: draw })
 * stock.start()
 */

const MAX_CANDLES = 120

function isTick(d) {
  return typeof d === 'object' && d !== null && typeof d.symbol === 'string' && typeof d.price === 'number' && typeof d.candle === 'object' && d.candle !== null
}

function signed(n) {
  return (n > 0 ? '+' : '') + n.toFixed(2)
}

/**
 * @param {{ client: import('@minisocket/client').Client, symbol?: string,
 *   onChange: (patch: object) => void, onCandles: (candles: Array<{time:number,open:number,high:number,low:number,close:number}>) => void }} options
 */
export function createStockController(options) {
  const { client, onChange, onCandles } = options
  let symbol = options.symbol || ''
  let candles = []
  let sub
  let ticks = 0
  let generation = 0 // a reply for a symbol no longer selected is ignored

  const quote = (t) =>
    onChange({ price: t.price.toFixed(2), change: signed(t.change) + ' (' + signed(t.changePct) + '%)', up: t.change >= 0, ticks })

  const applyTick = (t) => {
    ticks++
    const bar = t.candle
    const last = candles[candles.length - 1]
    if (last && last.time === bar.time) candles[candles.length - 1] = bar
    else if (!last || bar.time > last.time) {
      candles.push(bar)
      if (candles.length > MAX_CANDLES) candles.shift()
    }
    quote(t)
    onCandles(candles)
  }

  const loadCandles = () => {
    const mine = generation
    return client.rpc('stock.candles', { symbol }).then(
      (data) => {
        if (mine !== generation || !Array.isArray(data)) return
        candles = data.slice(-MAX_CANDLES)
        onCandles(candles)
      },
      (error) => onChange({ error: 'could not load candles: ' + error.message }),
    )
  }

  const select = (next) => {
    if (sub) sub.unsubscribe()
    generation++
    symbol = next
    candles = []
    onChange({ symbol, price: '—', change: '', up: true })
    onCandles(candles)
    sub = client.subscribe('stock:' + symbol, {
      publication: (p) => {
        if (isTick(p.data) && p.data.symbol === symbol) applyTick(p.data)
      },
      // First subscribe, or the stream moved on while we were away and could not be replayed.
      subscribed: (e) => {
        if (!e.resubscribed || e.reload) loadCandles()
      },
    })
  }

  return {
    /** Loads the symbol list and subscribes to the selected one; call from onLoad. */
    start() {
      onChange({ symbols: [], symbol, price: '—', change: '', up: true, ticks: 0 })
      return client.rpc('stock.symbols').then(
        (list) => {
          const symbols = Array.isArray(list) ? list.map((t) => ({ symbol: t.symbol, name: t.name || t.symbol })) : []
          onChange({ symbols })
          if (!symbols.some((s) => s.symbol === symbol) && symbols.length > 0) symbol = symbols[0].symbol
          select(symbol)
        },
        (error) => onChange({ error: 'could not load the market: ' + error.message }),
      )
    },
    select,
    stop() {
      generation++
      if (sub) sub.unsubscribe()
      sub = undefined
    },
    get candles() {
      return candles
    },
    get ticks() {
      return ticks
    },
  }
}
