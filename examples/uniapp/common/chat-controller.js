/**
 * The chat page's logic without a framework: the WeChat page (pages/chat) and the uni-app page
 * (examples/uniapp/pages/chat) wrap the same controller; tests run it under the emulator.
 * This file is identical in examples/wechat-miniprogram/lib and examples/uniapp/common (a test
 * checks it).
 *
 * - `chat:ROOM`: messages `{id, nick, text, at}`; history on entry, and again when a resubscribe
 *   could not recover the gap (e.g. the server restarted); ids make every merge idempotent.
 * - `typing:ROOM`: volatile `{nick, typing}` signals.
 * - presence: who is here, online or away (a hidden mini-program is `away`, not gone).
 *
 * @example
 * const chat = createChatController({ client, room: 'lobby', nick: 'alice', onChange: (patch) => page.setData(patch) })
 * chat.start()
 * chat.send('hello')
 */

const TYPING_SHOWN_MS = 3000
const TYPING_RESEND_MS = 1500
const MAX_MESSAGES = 200

const CONNECTION_LABELS = {
  connecting: 'Connecting…',
  connected: 'Connected',
  disconnected: 'Reconnecting…',
  suspended: 'Suspended',
  closed: 'Offline',
}

export function isChatMessage(d) {
  return typeof d === 'object' && d !== null && typeof d.id === 'string' && typeof d.nick === 'string' && typeof d.text === 'string' && typeof d.at === 'number'
}

function nickOf(member) {
  const info = member.info
  return info && typeof info === 'object' && typeof info.nick === 'string' ? info.nick : member.user || 'anonymous'
}

function pad(n) {
  return n < 10 ? '0' + n : String(n)
}

export function timeLabel(ms) {
  const d = new Date(ms)
  return pad(d.getHours()) + ':' + pad(d.getMinutes())
}

/**
 * @param {{ client: import('@minisocket/client').Client, room: string, nick: string,
 *   onChange: (patch: object) => void, now?: () => number, random?: () => number }} options
 */
export function createChatController(options) {
  const { client, room, nick, onChange } = options
  const now = options.now || (() => Date.now())
  const random = options.random || Math.random
  const channel = 'chat:' + room
  const entries = new Map() // id → entry
  const epochs = [] // in the order first seen: a new epoch (server restart) sorts after the old one
  const members = new Map() // client id → member
  const typing = new Map() // nick → shown until
  let seq = 0
  let sub
  let typingSub
  let offState
  let lastTypingSent = 0
  let typingTimer

  const rank = (e) => (e.offset === undefined || e.epoch === undefined ? Infinity : epochs.indexOf(e.epoch))
  const ordered = () => [...entries.values()].sort((a, b) => rank(a) - rank(b) || (a.offset || 0) - (b.offset || 0) || a.seq - b.seq)

  const messagesView = () =>
    ordered().map((e) => ({ id: e.id, nick: e.nick, text: e.text, time: timeLabel(e.at), mine: e.nick === nick, status: e.status }))

  const pending = () => [...entries.values()].filter((e) => e.status === 'queued' || e.status === 'sending').length

  const emitMessages = () => onChange({ messages: messagesView(), pending: pending() })

  const received = (msg, epoch, offset) => {
    const known = entries.get(msg.id)
    if (known && known.status === 'sent' && known.offset !== undefined) return false
    if (epoch !== undefined && !epochs.includes(epoch)) epochs.push(epoch)
    entries.set(msg.id, { ...msg, status: 'sent', epoch, offset, seq: known ? known.seq : seq++ })
    if (entries.size > MAX_MESSAGES) entries.delete(ordered()[0].id)
    return true
  }

  const emitMembers = () => {
    const byNick = new Map()
    for (const m of members.values()) {
      const name = nickOf(m)
      if (byNick.get(name) !== 'online') byNick.set(name, m.state)
    }
    onChange({ members: [...byNick].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, state]) => ({ nick: name, state, me: name === nick })) })
  }

  const emitTyping = () => {
    const t = now()
    for (const [who, until] of typing) if (until < t || who === nick) typing.delete(who)
    const names = [...typing.keys()]
    onChange({ typing: names.length === 0 ? '' : names.join(', ') + (names.length === 1 ? ' is typing…' : ' are typing…') })
  }

  const loadHistory = () =>
    sub.history({ limit: 50 }).then(
      (h) => {
        let changed = false
        for (const p of h.publications) if (isChatMessage(p.data)) changed = received(p.data, h.epoch, p.offset) || changed
        if (changed) emitMessages()
      },
      () => {},
    )

  const loadPresence = () =>
    sub.presence().then(
      (list) => {
        members.clear()
        for (const m of list) members.set(m.client, m)
        emitMembers()
      },
      () => {},
    )

  return {
    /** Subscribes; call from onLoad. */
    start() {
      onChange({ room, nick, messages: [], members: [], typing: '', pending: 0, connection: CONNECTION_LABELS[client.state] })
      offState = client.on('state', ({ to }) => {
        onChange({ connection: CONNECTION_LABELS[to] })
        if (to === 'connected') emitMessages()
      })
      sub = client.subscribe(channel, {
        subscribed: (e) => {
          if (!e.resubscribed || e.reload) loadHistory()
          loadPresence()
        },
        publication: (p) => {
          if (!isChatMessage(p.data) || !received(p.data, p.epoch, p.offset)) return
          typing.delete(p.data.nick)
          emitMessages()
          emitTyping()
        },
        join: (m) => {
          members.set(m.client, m)
          emitMembers()
        },
        leave: (m) => {
          members.delete(m.client)
          emitMembers()
        },
      })
      typingSub = client.subscribe('typing:' + room, {
        publication: (p) => {
          const d = p.data
          if (!d || typeof d.nick !== 'string') return
          if (d.typing === true) typing.set(d.nick, now() + TYPING_SHOWN_MS)
          else typing.delete(d.nick)
          emitTyping()
        },
      })
      typingTimer = setInterval(emitTyping, 1000)
    },

    /** Sends a message; offline it waits in the client's outbox (persisted) and goes out on reconnect. */
    send(text) {
      const body = String(text || '').trim().slice(0, 1000)
      if (body === '') return undefined
      const msg = { id: nick + '-' + now().toString(36) + '-' + Math.floor(random() * 1e9).toString(36), nick, text: body, at: now() }
      const sending = client.publish(channel, msg)
      entries.set(msg.id, { ...msg, status: sending.status === 'sent' ? 'sending' : sending.status === 'queued' ? 'queued' : 'failed', seq: seq++ })
      const mark = (status) => {
        const e = entries.get(msg.id)
        if (e && e.status !== 'sent') e.status = status
        emitMessages()
      }
      sending.then(() => mark('sent'), () => mark('failed'))
      emitMessages()
      this.typing(false)
      return msg.id
    },

    /** Call on input: tells the room (volatile: dropped while offline). */
    typing(on) {
      const t = now()
      if (on && t - lastTypingSent < TYPING_RESEND_MS) return
      lastTypingSent = on ? t : 0
      client.publish('typing:' + room, { nick, typing: !!on }, { volatile: true })
    },

    /** Unsubscribes and drops every listener; call from onUnload. */
    stop() {
      clearInterval(typingTimer)
      if (offState) offState()
      if (sub) sub.unsubscribe()
      if (typingSub) typingSub.unsubscribe()
      sub = typingSub = offState = undefined
    },

    /** For tests and debugging. */
    get messages() {
      return ordered()
    },
  }
}
