/**
 * Hand-written SVG grouped bar charts (no chart dependency): one group per x category (e.g. S),
 * one bar per series (peer), a whisker for the [min–max] spread of the repeats, and the median
 * printed above each bar. Missing values are drawn as "n/a".
 */
export interface Bar { value: number; min: number; max: number }
export interface ChartSpec {
  title: string
  unit: string
  groups: string[]
  series: string[]
  /** values[g][s]: the bar of series s in group g (undefined when not measured). */
  values: Array<Array<Bar | undefined>>
  /** Optional horizontal reference lines (e.g. a target). */
  lower?: string
}

const COLORS = ['#4e79a7', '#f28e2b', '#76b7b2', '#e15759', '#59a14f', '#edc948', '#b07aa1']

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return 'n/a'
  if (Math.abs(v) >= 100_000) return `${(v / 1000).toFixed(0)}k`
  if (Math.abs(v) >= 10_000) return `${(v / 1000).toFixed(1)}k`
  if (Math.abs(v) >= 100) return v.toFixed(0)
  if (Math.abs(v) >= 10) return v.toFixed(1)
  return v.toFixed(2)
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p
  return 10 * p
}

export function barChart(c: ChartSpec): string {
  const barW = 22
  const gap = 26
  const groupW = c.series.length * barW + gap
  const left = 64
  const top = 40
  const plotH = 220
  const legendH = 18 * Math.ceil(c.series.length / 3) + 8
  const width = Math.max(520, left + c.groups.length * groupW + 20)
  const height = top + plotH + 40 + legendH
  const all = c.values.flat().filter((b): b is Bar => b !== undefined).map((b) => (Number.isFinite(b.max) ? b.max : b.value))
  const ymax = niceMax(Math.max(0, ...all.filter(Number.isFinite)))
  const y = (v: number): number => top + plotH - (Math.max(0, v) / ymax) * plotH
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`)
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`)
  out.push(`<text x="${left}" y="18" font-size="14" font-weight="bold">${esc(c.title)}</text>`)
  out.push(`<text x="${left}" y="32" fill="#555">${esc(c.unit)}${c.lower ? ` · ${esc(c.lower)}` : ''}</text>`)
  for (let i = 0; i <= 4; i++) {
    const v = (ymax * i) / 4
    out.push(`<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`)
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${fmt(v)}</text>`)
  }
  c.groups.forEach((g, gi) => {
    const gx = left + gap / 2 + gi * groupW
    out.push(`<text x="${gx + (c.series.length * barW) / 2}" y="${top + plotH + 16}" text-anchor="middle">${esc(g)}</text>`)
    c.series.forEach((_, si) => {
      const b = c.values[gi]?.[si]
      const x = gx + si * barW
      if (!b || !Number.isFinite(b.value)) {
        out.push(`<text x="${x + barW / 2}" y="${top + plotH - 4}" text-anchor="middle" fill="#999" font-size="9">n/a</text>`)
        return
      }
      out.push(`<rect x="${x + 2}" y="${y(b.value)}" width="${barW - 4}" height="${top + plotH - y(b.value)}" fill="${COLORS[si % COLORS.length]}"/>`)
      if (Number.isFinite(b.min) && Number.isFinite(b.max) && b.max > b.min) {
        const cx = x + barW / 2
        out.push(`<path d="M${cx} ${y(b.min)}V${y(b.max)}M${cx - 4} ${y(b.min)}H${cx + 4}M${cx - 4} ${y(b.max)}H${cx + 4}" stroke="#222"/>`)
      }
      out.push(`<text x="${x + barW / 2}" y="${Math.min(y(b.value), y(b.max)) - 3}" text-anchor="middle" font-size="9">${fmt(b.value)}</text>`)
    })
  })
  c.series.forEach((s, si) => {
    const lx = left + (si % 3) * 180
    const ly = top + plotH + 32 + Math.floor(si / 3) * 18
    out.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${COLORS[si % COLORS.length]}"/><text x="${lx + 14}" y="${ly + 9}">${esc(s)}</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}
