/**
 * The chat page's Vue 3 options (uni-app page hooks onLoad/onUnload), as a factory so a test can
 * run them with a small shim: `export default createChatPage(getApp)`. The logic lives in
 * common/chat-controller.js, shared with the WeChat project.
 */
import { createChatController } from '../../common/chat-controller.js'

export const ROOMS = ['lobby', 'random', 'help']

export function createChatPage(getApp) {
  let chat // per page instance: set in onLoad, dropped in onUnload
  return {
    data() {
      return { rooms: ROOMS, room: 'lobby', nick: '', messages: [], members: [], typing: '', pending: 0, connection: 'Connecting…', draft: '', bottom: '' }
    },
    onLoad(query) {
      this.enter((query && query.room) || 'lobby')
    },
    onUnload() {
      if (chat) chat.stop()
      chat = undefined
    },
    methods: {
      enter(room) {
        if (chat) chat.stop()
        const app = getApp()
        chat = createChatController({
          client: app.globalData.client,
          room,
          nick: app.globalData.nick,
          onChange: (patch) => Object.assign(this, patch, patch.messages ? { bottom: 'end' } : {}),
        })
        chat.start()
      },
      onRoom(room) {
        if (room !== this.room) this.enter(room)
      },
      onInput(e) {
        this.draft = e.detail.value
        chat.typing(this.draft.trim() !== '')
      },
      onSend() {
        if (chat.send(this.draft) !== undefined) this.draft = ''
      },
    },
  }
}
