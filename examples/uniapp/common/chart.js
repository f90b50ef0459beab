/**
 * A small candlestick / line chart drawn on any Canvas 2D context (a mini-program `type="2d"`
 * canvas node, uni-app's, or a browser canvas). About 100 lines instead of a charting library:
 * ECharts for WeChat (ec-canvas) adds ~1 MB to a package capped at 2 MB, and this page needs
 * only bars, a price axis and the last price. Identical copy in examples/uniapp/common.
 *
 * @example
 * const summary = drawChart(ctx, 320, 200, candles, { mode: 'candles' })
 */

const THEME = { background: '#0f1522', grid: '#1c2536', text: '#8a96ab', up: '#26a69a', down: '#ef5350', line: '#4f8cff' }

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} width CSS pixels
 * @param {number} height CSS pixels
 * @param {Array<{time:number,open:number,high:number,low:number,close:number}>} candles oldest first
 * @param {{ mode?: 'candles' | 'line', barWidth?: number }} [options]
 * @returns {{ drawn: number, min: number, max: number }} what was drawn (tests read it)
 */
export function drawChart(ctx, width, height, candles, options) {
  const mode = (options && options.mode) || 'candles'
  const step = (options && options.barWidth) || 8
  const axis = 52 // room for the price labels on the right
  const pad = 10
  ctx.fillStyle = THEME.background
  ctx.fillRect(0, 0, width, height)
  const fit = Math.max(1, Math.floor((width - axis - pad) / step))
  const shown = candles.slice(-fit)
  if (shown.length === 0) {
    ctx.fillStyle = THEME.text
    ctx.font = '12px sans-serif'
    ctx.fillText('waiting for prices…', pad, height / 2)
    return { drawn: 0, min: 0, max: 0 }
  }
  let min = Infinity
  let max = -Infinity
  for (const c of shown) {
    min = Math.min(min, c.low)
    max = Math.max(max, c.high)
  }
  if (max - min < 1e-9) {
    max += 0.5
    min -= 0.5
  }
  const top = pad
  const bottom = height - pad
  const y = (price) => bottom - ((price - min) / (max - min)) * (bottom - top)
  const x = (i) => pad + i * step + step / 2

  // Grid and price labels.
  ctx.strokeStyle = THEME.grid
  ctx.fillStyle = THEME.text
  ctx.font = '10px sans-serif'
  ctx.lineWidth = 1
  for (let i = 0; i <= 4; i++) {
    const price = min + ((max - min) * i) / 4
    const gy = Math.round(y(price)) + 0.5
    ctx.beginPath()
    ctx.moveTo(pad, gy)
    ctx.lineTo(width - axis, gy)
    ctx.stroke()
    ctx.fillText(price.toFixed(2), width - axis + 4, gy + 3)
  }

  if (mode === 'line') {
    ctx.strokeStyle = THEME.line
    ctx.lineWidth = 2
    ctx.beginPath()
    shown.forEach((c, i) => (i === 0 ? ctx.moveTo(x(i), y(c.close)) : ctx.lineTo(x(i), y(c.close))))
    ctx.stroke()
  } else {
    const body = Math.max(1, step - 3)
    shown.forEach((c, i) => {
      const color = c.close >= c.open ? THEME.up : THEME.down
      ctx.strokeStyle = color
      ctx.fillStyle = color
      ctx.lineWidth = 1
      ctx.beginPath()
      ctx.moveTo(x(i), y(c.high))
      ctx.lineTo(x(i), y(c.low))
      ctx.stroke()
      const y1 = y(Math.max(c.open, c.close))
      ctx.fillRect(x(i) - body / 2, y1, body, Math.max(1, y(Math.min(c.open, c.close)) - y1))
    })
  }

  // The last price, as a label on the axis.
  const last = shown[shown.length - 1]
  const ly = y(last.close)
  ctx.fillStyle = last.close >= last.open ? THEME.up : THEME.down
  ctx.fillRect(width - axis, ly - 8, axis, 16)
  ctx.fillStyle = '#ffffff'
  ctx.fillText(last.close.toFixed(2), width - axis + 4, ly + 3)
  return { drawn: shown.length, min, max }
}
