// A page test in Node: the emulated WeChat app in release mode, its `wx` installed as the
// global, and the real domain routed to a local server (like a hosts file).
import { createMiniProgram } from '@minisocket/mp'
import { closeAppClient, getAppClient } from '@minisocket/client/wx'
import { roomPage } from './chat-room.js'

export async function runRoomPage(localPort: number, publish: (channel: string, text: string) => Promise<unknown>) {
  const mp = createMiniProgram({
    platform: 'wx',
    env: 'release',
    domains: ['chat.example.com'],
    route: (url) => url.replace('wss://chat.example.com', `ws://127.0.0.1:${localPort}`),
  })
  const uninstall = mp.install(globalThis) // what `wx` is on a phone
  try {
    const page = { ...roomPage, setData(patch: object) { Object.assign(this.data, patch) } }
    page.data = { ...roomPage.data, messages: [] }
    page.onLoad({ room: 'lobby' })
    const client = getAppClient({ url: 'wss://chat.example.com/ws' })
    await until(() => client.subscription('chat:lobby')?.state === 'subscribed')
    await publish('chat:lobby', 'hello from the server')
    page.send('hello from the page')
    await until(() => page.data.messages.length === 2)
    page.onUnload()
    return { messages: page.data.messages, sockets: mp.createdSockets }
  } finally {
    closeAppClient()
    uninstall()
    mp.dispose()
  }
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5))
  if (!ok()) throw new Error('timed out')
}
