/**
 * The stock page's Vue 3 options as a factory (`export default createStockPage(getApp, uni)`);
 * the chart is drawn on a `type="2d"` canvas with common/chart.js. One page instance per factory
 * call (a tabBar page is a singleton).
 */
import { drawChart } from '../../common/chart.js'
import { createStockController } from '../../common/stock-controller.js'

export function createStockPage(getApp, api) {
  let stock
  let canvas
  let frame
  return {
    data() {
      return { symbols: [], symbol: '', price: '—', change: '', up: true, mode: 'candles', ticks: 0, error: '' }
    },
    onLoad(query) {
      stock = createStockController({
        client: getApp().globalData.client,
        symbol: (query && query.symbol) || '',
        onChange: (patch) => Object.assign(this, patch),
        onCandles: () => this.scheduleDraw(),
      })
      stock.start()
    },
    onReady() {
      if (!api || typeof api.createSelectorQuery !== 'function') return
      api
        .createSelectorQuery()
        .in(this)
        .select('#chart')
        .fields({ node: true, size: true })
        .exec((res) => {
          const info = res && res[0]
          if (!info || !info.node) return
          const dpr = (api.getWindowInfo ? api.getWindowInfo() : api.getSystemInfoSync()).pixelRatio || 1
          info.node.width = info.width * dpr
          info.node.height = info.height * dpr
          const ctx = info.node.getContext('2d')
          ctx.scale(dpr, dpr)
          canvas = { node: info.node, ctx, width: info.width, height: info.height }
          this.draw()
        })
    },
    onUnload() {
      if (stock) stock.stop()
      stock = undefined
      canvas = undefined
    },
    methods: {
      scheduleDraw() {
        if (!canvas || frame) return
        const raf = canvas.node.requestAnimationFrame ? (fn) => canvas.node.requestAnimationFrame(fn) : (fn) => setTimeout(fn, 16)
        frame = raf(() => {
          frame = undefined
          this.draw()
        })
      },
      /** Draws now; returns what was drawn (undefined without a canvas). */
      draw() {
        if (!canvas || !stock) return undefined
        return drawChart(canvas.ctx, canvas.width, canvas.height, stock.candles, { mode: this.mode })
      },
      /** For tests: the bars the chart would draw. */
      candles() {
        return stock ? stock.candles : []
      },
      onPick(symbol) {
        if (symbol !== this.symbol) stock.select(symbol)
      },
      onMode(mode) {
        this.mode = mode === 'line' ? 'line' : 'candles'
        this.draw()
      },
    },
  }
}
