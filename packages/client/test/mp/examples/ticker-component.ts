// components/ticker/ticker.ts — a component subscribes from attached to detached.
import { getAppClient, scopedComponent } from '@minisocket/client/wx'

export const ticker = scopedComponent(() => getAppClient({ url: 'wss://chat.example.com/ws' }), {
  properties: { symbol: String },
  data: { symbol: 'BTC', price: 0 },
  lifetimes: {
    attached() {
      this.realtime.subscribe(`ticker:${this.data.symbol}`, {
        publication: (p) => this.setData({ price: (p.data as { price: number }).price }),
      })
    },
  },
})

// Component(ticker)
