// pages/chat/chat.js — a chat page written the way WeChat's own wx.onSocketOpen sample and most
// tutorials write it: the old global socket API, and a queue for messages sent before the socket
// is open. Kept exactly as a user would write it; packages/mp/test/tutorial.test.ts runs it as is.
let socketOpen = false
let socketMsgQueue = []

function sendSocketMessage(msg) {
  if (socketOpen) {
    wx.sendSocketMessage({
      data: msg
    })
  } else {
    socketMsgQueue.push(msg)
  }
}

Page({
  data: {
    status: 'connecting',
    messages: []
  },

  onLoad() {
    wx.connectSocket({
      url: 'wss://chat.example.com/ws'
    })

    wx.onSocketOpen(() => {
      socketOpen = true
      this.setData({ status: 'open' })
      for (let i = 0; i < socketMsgQueue.length; i++) {
        sendSocketMessage(socketMsgQueue[i])
      }
      socketMsgQueue = []
    })

    wx.onSocketMessage((res) => {
      this.setData({ messages: this.data.messages.concat([res.data]) })
    })

    wx.onSocketError(() => {
      this.setData({ status: 'error' })
    })

    wx.onSocketClose(() => {
      socketOpen = false
      this.setData({ status: 'closed' })
    })

    // The user types before the connection is up: these go to the queue.
    sendSocketMessage('hello')
    sendSocketMessage('is anyone there?')
  },

  onSend(e) {
    sendSocketMessage(e.detail.value)
  },

  onUnload() {
    wx.closeSocket()
  }
})
