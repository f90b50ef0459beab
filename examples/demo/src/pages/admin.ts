/**
 * The admin page: live connections, channels, messages per second and recent disconnect reasons
 * from the `admin:stats` channel (one sample a second; its history fills the chart on entry).
 */
import { ColorType, createChart, LineSeries, type UTCTimestamp } from 'lightweight-charts'
import type { Json } from '@minisocket/client/browser'
import { byId, connectDemo, expose, h, showConnection, timeOf } from './common.js'

interface Sample {
  at: number
  connections: number
  channels: number
  subscriptions: number
  messagesInPerSec: number
  messagesOutPerSec: number
  publicationsPerSec: number
  plainClients: number
  recentDisconnects: Array<{ at: number; code: number; name: string; reason: string; user: string }>
}

const isSample = (d: Json): d is Json & Sample => typeof d === 'object' && d !== null && !Array.isArray(d) && typeof d.connections === 'number' && typeof d.at === 'number'

const demo = connectDemo({})
const { client } = demo
let last: Sample | undefined
let lastTime = 0
let samples = 0

const chart = createChart(byId('chart'), {
  autoSize: true,
  layout: { background: { type: ColorType.Solid, color: '#ffffff' }, textColor: '#334155', fontFamily: 'system-ui, sans-serif' },
  grid: { vertLines: { color: '#eef2f7' }, horzLines: { color: '#eef2f7' } },
  timeScale: { timeVisible: true, secondsVisible: true },
  leftPriceScale: { visible: true },
})
const connections = chart.addSeries(LineSeries, { color: '#2563eb', lineWidth: 2, priceScaleId: 'left', title: 'connections', priceFormat: { type: 'price', precision: 0, minMove: 1 } })
const messages = chart.addSeries(LineSeries, { color: '#16a34a', lineWidth: 2, priceScaleId: 'right', title: 'messages out/s' })

function plot(s: Sample): void {
  const time = Math.floor(s.at / 1000)
  if (time < lastTime) return // an older sample (history read racing a live one): already drawn
  lastTime = time
  connections.update({ time: time as UTCTimestamp, value: s.connections })
  messages.update({ time: time as UTCTimestamp, value: s.messagesOutPerSec })
  chart.timeScale().fitContent() // at most 120 points: the whole window stays in view
}

function render(s: Sample): void {
  last = s
  samples++
  const cards: Array<[string, string]> = [
    ['connections', String(s.connections)],
    ['channels', String(s.channels)],
    ['subscriptions', String(s.subscriptions)],
    ['in-rate', s.messagesInPerSec.toFixed(1)],
    ['out-rate', s.messagesOutPerSec.toFixed(1)],
    ['pub-rate', s.publicationsPerSec.toFixed(1)],
    ['plain', String(s.plainClients)],
  ]
  for (const [id, value] of cards) byId(id).textContent = value
  byId('updated').textContent = `updated ${timeOf(s.at)}`
  const rows = s.recentDisconnects.map((d) =>
    h('tr', {}, h('td', {}, timeOf(d.at)), h('td', {}, h('code', {}, String(d.code))), h('td', {}, d.name), h('td', {}, d.reason), h('td', {}, d.user || 'anonymous')),
  )
  byId('disconnects').replaceChildren(...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No disconnects yet.'))]))
}

const sub = client.subscribe('admin:stats', {
  publication: (p) => {
    if (!isSample(p.data)) return
    plot(p.data)
    render(p.data)
  },
  subscribed: (e) => {
    if (e.resubscribed && !e.reload) return
    void sub.history({ limit: 120 }).then(({ publications }) => {
      const list = publications.map((p) => p.data).filter(isSample)
      const points = (pick: (s: Sample) => number) => {
        const seen = new Map<number, number>()
        for (const s of list) seen.set(Math.floor(s.at / 1000), pick(s))
        return [...seen].sort(([a], [b]) => a - b).map(([time, value]) => ({ time: time as UTCTimestamp, value }))
      }
      connections.setData(points((s) => s.connections))
      messages.setData(points((s) => s.messagesOutPerSec))
      chart.timeScale().fitContent()
      const newest = list.at(-1)
      if (newest !== undefined) {
        lastTime = Math.floor(newest.at / 1000)
        if (last === undefined || newest.at > last.at) render(newest)
      }
    })
  },
})

showConnection(byId('status'), demo)
client.connect()
expose('admin', {
  client,
  get last() {
    return last
  },
  get samples() {
    return samples
  },
  data: () => connections.data(),
})
