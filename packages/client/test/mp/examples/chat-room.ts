// pages/room/room.ts — every page shares the app's one connection (getAppClient), and what a
// page subscribes through `this.realtime` is detached when it unloads.
import { getAppClient, scopedPage } from '@minisocket/client/wx'

const url = 'wss://chat.example.com/ws'

export const roomPage = scopedPage(() => getAppClient({ url }), {
  data: { room: '', messages: [] as string[] },
  onLoad(query: { room: string }) {
    this.setData({ room: query.room })
    this.realtime.subscribe(`chat:${query.room}`, {
      publication: (p) => this.setData({ messages: [...this.data.messages, String(p.data)] }),
      // Missed messages that could not be replayed: start over from the server's state.
      subscribed: (s) => s.reload && this.setData({ messages: [] }),
    })
  },
  send(text: string) {
    // Queued while offline or in the background, persisted with setStorageSync, sent once.
    void this.realtime.client.publish(`chat:${this.data.room}`, text)
  },
})

// Page(roomPage)
