/**
 * The chat page: rooms (`chat:ROOM`), nicknames, history on entry, presence (online / away),
 * typing (volatile publishes on `typing:ROOM`), and messages typed offline kept in the client's
 * outbox — persisted in localStorage — and sent once the connection is back.
 * URL: /chat?room=lobby&nick=alice (both optional).
 */
import type { PresenceMember, Subscription } from '@minisocket/client/browser'
import { ChatLog, isChatMessage, type ChatEntry, type ChatMessage } from './chat-log.js'
import { byId, colorOf, connectDemo, expose, h, showConnection, suspendWhenHidden, timeOf } from './common.js'

const ROOMS = ['lobby', 'random', 'help']
const NICK_KEY = 'minisocket-demo:nick'
const TYPING_SHOWN_MS = 3000
const TYPING_RESEND_MS = 1500

const params = new URLSearchParams(location.search)
const clean = (s: string | null | undefined, max: number): string => (s ?? '').trim().replace(/[^\p{L}\p{N}_-]/gu, '').slice(0, max)
const nick = clean(params.get('nick'), 32) || clean(localStorage.getItem(NICK_KEY), 32) || `guest-${Math.floor(Math.random() * 9000 + 1000)}`
localStorage.setItem(NICK_KEY, nick)
let room = clean(params.get('room'), 40).toLowerCase() || 'lobby'

const demo = connectDemo({
  info: { nick },
  // One outbox per nickname: a message typed offline survives a reload of the page.
  outbox: { storage: localStorage, key: `minisocket-demo:outbox:${nick}` },
})
const { client } = demo
const log = new ChatLog()
const members = new Map<string, PresenceMember>()
const typing = new Map<string, number>()
let chat: Subscription | undefined
let typingSub: Subscription | undefined
let lastTypingSent = 0

const list = byId<HTMLOListElement>('messages')
const input = byId<HTMLInputElement>('text')

function renderMessages(): void {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40
  list.replaceChildren(...log.list().map(renderEntry))
  if (log.size === 0) list.append(h('li', { class: 'empty' }, `No messages in #${room} yet. Say hello!`))
  if (atBottom) list.scrollTop = list.scrollHeight
}

function renderEntry(e: ChatEntry): HTMLLIElement {
  const mine = e.nick === nick
  const status = e.status === 'sent' ? '' : e.status === 'queued' ? 'waiting for connection' : e.status === 'sending' ? 'sending…' : `not sent: ${e.error ?? ''}`
  return h(
    'li',
    { class: `msg${mine ? ' mine' : ''} ${e.status}`, 'data-id': e.id },
    h('span', { class: 'avatar', style: `background:${colorOf(e.nick)}` }, e.nick.slice(0, 1).toUpperCase()),
    h('div', { class: 'body' }, h('div', { class: 'meta' }, h('b', { class: 'nick' }, e.nick), h('time', {}, timeOf(e.at)), status ? h('span', { class: 'state' }, status) : ''), h('div', { class: 'text' }, e.text)),
  )
}

function renderMembers(): void {
  // One line per nickname: online if any of its tabs is online.
  const byNick = new Map<string, string>()
  for (const m of members.values()) {
    const name = typeof m.info === 'object' && m.info !== null && !Array.isArray(m.info) && typeof m.info.nick === 'string' ? m.info.nick : m.user || 'anonymous'
    if (byNick.get(name) !== 'online') byNick.set(name, m.state)
  }
  const items = [...byNick].sort(([a], [b]) => a.localeCompare(b))
  byId('members').replaceChildren(
    ...items.map(([name, state]) => h('li', { class: `member ${state}`, 'data-nick': name }, h('span', { class: 'dot' }), name + (name === nick ? ' (you)' : ''), state === 'away' ? h('small', {}, ' away') : '')),
  )
  byId('online-count').textContent = String(items.length)
}

function renderTyping(): void {
  const now = Date.now()
  for (const [who, until] of typing) if (until < now || who === nick) typing.delete(who)
  const names = [...typing.keys()]
  byId('typing').textContent = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`
}

function renderRooms(): void {
  const all = ROOMS.includes(room) ? ROOMS : [...ROOMS, room]
  byId('rooms').replaceChildren(
    ...all.map((r) => {
      const a = h('a', { href: `?room=${r}`, class: r === room ? 'active' : undefined }, `# ${r}`)
      a.addEventListener('click', (ev) => {
        ev.preventDefault()
        enter(r)
      })
      return h('li', {}, a)
    }),
  )
  byId('room-name').textContent = `# ${room}`
  input.placeholder = `Message #${room}`
}

async function loadHistory(sub: Subscription): Promise<void> {
  try {
    const { epoch, publications } = await sub.history({ limit: 100 })
    for (const p of publications) if (isChatMessage(p.data)) log.received(p.data, epoch, p.offset)
    renderMessages()
  } catch (error) {
    console.warn('history failed', error)
  }
}

async function loadPresence(sub: Subscription): Promise<void> {
  try {
    const list = await sub.presence()
    members.clear()
    for (const m of list) members.set(m.client, m)
    renderMembers()
  } catch (error) {
    console.warn('presence failed', error)
  }
}

function enter(next: string): void {
  chat?.unsubscribe()
  typingSub?.unsubscribe()
  room = next
  history.replaceState(null, '', `?room=${encodeURIComponent(room)}`)
  log.clear()
  members.clear()
  typing.clear()
  renderRooms()
  renderMessages()
  renderMembers()
  const sub = client.subscribe(`chat:${room}`, {
    // First entry, and every resubscribe that could not replay the gap (e.g. the server restarted
    // and lost its memory history): read the history; ids make the merge idempotent.
    subscribed: (e) => {
      if (!e.resubscribed || e.reload) void loadHistory(sub)
      void loadPresence(sub)
    },
    publication: (p) => {
      if (isChatMessage(p.data) && log.received(p.data, p.epoch, p.offset)) {
        typing.delete(p.data.nick)
        renderMessages()
        renderTyping()
      }
    },
    join: (m) => {
      members.set(m.client, m)
      renderMembers()
    },
    leave: (m) => {
      members.delete(m.client)
      renderMembers()
    },
  })
  chat = sub
  typingSub = client.subscribe(`typing:${room}`, {
    publication: (p) => {
      const d = p.data as { nick?: unknown; typing?: unknown }
      if (typeof d?.nick !== 'string') return
      if (d.typing === true) typing.set(d.nick, Date.now() + TYPING_SHOWN_MS)
      else typing.delete(d.nick)
      renderTyping()
    },
  })
}

function send(text: string): void {
  const msg: ChatMessage = { id: `${nick}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, nick, text, at: Date.now() }
  const sending = client.publish(`chat:${room}`, msg)
  log.local(msg, sending.status === 'sent' ? 'sending' : sending.status === 'queued' ? 'queued' : 'failed')
  sending.then(
    () => log.mark(msg.id, 'sent'),
    (error: Error) => log.mark(msg.id, 'failed', error.message),
  ).finally(renderMessages)
  renderMessages()
  signalTyping(false)
}

function signalTyping(on: boolean): void {
  const now = Date.now()
  if (on && now - lastTypingSent < TYPING_RESEND_MS) return
  lastTypingSent = on ? now : 0
  // Volatile: a typing signal is worthless later, so it is dropped rather than queued offline.
  client.publish(`typing:${room}`, { nick, typing: on }, { volatile: true })
}

byId<HTMLFormElement>('composer').addEventListener('submit', (ev) => {
  ev.preventDefault()
  const text = input.value.trim().slice(0, 1000)
  if (text === '') return
  input.value = ''
  send(text)
})
input.addEventListener('input', () => signalTyping(input.value.trim() !== ''))
byId('me').textContent = nick
byId('rename').addEventListener('click', () => {
  const next = clean(prompt('Your name', nick), 32)
  if (next && next !== nick) {
    localStorage.setItem(NICK_KEY, next)
    location.search = `?room=${encodeURIComponent(room)}&nick=${encodeURIComponent(next)}`
  }
})
byId<HTMLFormElement>('new-room').addEventListener('submit', (ev) => {
  ev.preventDefault()
  const field = (ev.target as HTMLFormElement).querySelector('input')
  const name = clean(field?.value, 40).toLowerCase()
  if (field) field.value = ''
  if (name) enter(name)
})
client.on('state', () => {
  // Messages typed offline went out with the reconnect: refresh their marks.
  if (client.state === 'connected') renderMessages()
})

showConnection(byId('status'), demo, () => (log.pending > 0 ? `${log.pending} unsent` : ''))
suspendWhenHidden(client)
window.setInterval(renderTyping, 1000)
enter(room)
client.connect()
expose('chat', { client, log, nick, get room() { return room } })
