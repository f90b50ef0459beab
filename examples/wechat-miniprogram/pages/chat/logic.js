/**
 * The chat Page() options, written as a factory so a test can run them with a Page shim:
 * `Page(createChatPage(getApp))`. The logic lives in lib/chat-controller.js.
 */
import { createChatController } from '../../lib/chat-controller.js'

export const ROOMS = ['lobby', 'random', 'help']

export function createChatPage(getApp) {
  return {
    data: { rooms: ROOMS, room: 'lobby', nick: '', messages: [], members: [], typing: '', pending: 0, connection: 'Connecting…', draft: '', bottom: '' },

    onLoad(query) {
      this.enter((query && query.room) || 'lobby')
    },

    onUnload() {
      if (this.chat) this.chat.stop()
      this.chat = undefined
    },

    enter(room) {
      if (this.chat) this.chat.stop()
      const app = getApp()
      this.chat = createChatController({
        client: app.globalData.client,
        room,
        nick: app.globalData.nick,
        onChange: (patch) => this.setData(patch.messages ? { ...patch, bottom: 'end' } : patch),
      })
      this.chat.start()
    },

    onRoom(e) {
      const room = e.currentTarget.dataset.room
      if (room && room !== this.data.room) this.enter(room)
    },

    onInput(e) {
      const draft = e.detail.value
      this.setData({ draft })
      this.chat.typing(draft.trim() !== '')
    },

    onSend() {
      if (this.chat.send(this.data.draft) !== undefined) this.setData({ draft: '' })
    },
  }
}
