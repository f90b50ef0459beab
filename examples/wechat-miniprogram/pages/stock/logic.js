/**
 * The stock Page() options as a factory (`Page(createStockPage(getApp, wx))`), so a test can run
 * them with a Page shim. Ticks update the data; the chart is drawn on a `type="2d"` canvas with
 * lib/chart.js — once per animation frame at most.
 */
import { drawChart } from '../../lib/chart.js'
import { createStockController } from '../../lib/stock-controller.js'

export function createStockPage(getApp, api) {
  return {
    data: { symbols: [], symbol: '', price: '—', change: '', up: true, mode: 'candles', ticks: 0, error: '' },

    onLoad(query) {
      const app = getApp()
      this.stock = createStockController({
        client: app.globalData.client,
        symbol: (query && query.symbol) || '',
        onChange: (patch) => this.setData(patch),
        onCandles: () => this.scheduleDraw(),
      })
      this.stock.start()
    },

    onReady() {
      // Canvas 2D: the node comes from a selector query (not available in tests: drawn on demand).
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
          this.canvas = { node: info.node, ctx, width: info.width, height: info.height }
          this.draw()
        })
    },

    onUnload() {
      if (this.stock) this.stock.stop()
      this.stock = undefined
      this.canvas = undefined
    },

    scheduleDraw() {
      if (!this.canvas) return
      if (this.frame) return
      const raf = this.canvas.node.requestAnimationFrame ? (fn) => this.canvas.node.requestAnimationFrame(fn) : (fn) => setTimeout(fn, 16)
      this.frame = raf(() => {
        this.frame = undefined
        this.draw()
      })
    },

    /** Draws now; returns what was drawn (undefined without a canvas). */
    draw() {
      if (!this.canvas || !this.stock) return undefined
      const { ctx, width, height } = this.canvas
      return drawChart(ctx, width, height, this.stock.candles, { mode: this.data.mode })
    },

    onPick(e) {
      const symbol = e.currentTarget.dataset.symbol
      if (symbol && symbol !== this.data.symbol) this.stock.select(symbol)
    },

    onMode(e) {
      this.setData({ mode: e.currentTarget.dataset.mode === 'line' ? 'line' : 'candles' })
      this.draw()
    },
  }
}
