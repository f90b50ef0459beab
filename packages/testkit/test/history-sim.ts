// A tiny model of a correct system (Centrifugo-style recovery) that produces histories for the
// checker's property tests: live delivery to connected clients, bounded history per channel,
// recovered:true with a full replay when the gap is still in history, recovered:false otherwise,
// and node restarts that start a new epoch and disconnect everyone.
import fc from 'fast-check'
import type { ClientEvent, ClientHistory, Publication } from '../src/history-types.js'

export type Step =
  | { t: 'publish'; ch: number; acked: boolean }
  | { t: 'disconnect'; c: number }
  | { t: 'reconnect'; c: number; dupReplay: boolean }
  | { t: 'restart'; ch: number }

export const CHANNELS = 2
export const CLIENTS = 3
const HISTORY_LIMIT = 4

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('publish' as const), ch: fc.nat(CHANNELS - 1), acked: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('disconnect' as const), c: fc.nat(CLIENTS - 1) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reconnect' as const), c: fc.nat(CLIENTS - 1), dupReplay: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restart' as const), ch: fc.nat(CHANNELS - 1) }) },
)

export function simulate(steps: readonly Step[]): { acknowledged: Publication[]; clients: ClientHistory[] } {
  const channels = Array.from({ length: CHANNELS }, (_, i) => ({ name: `ch${i}`, epochNo: 1, top: 0, log: [] as Publication[] }))
  const epochOf = (ch: (typeof channels)[number]): string => `${ch.name}-e${ch.epochNo}`
  const clients = Array.from({ length: CLIENTS }, () => ({
    connected: true,
    events: [] as ClientEvent[],
    pos: channels.map((ch) => ({ epoch: epochOf(ch), offset: 0 })),
  }))
  for (const c of clients) for (const ch of channels) c.events.push({ kind: 'subscribed', channel: ch.name, recovered: false, epoch: epochOf(ch), offset: 0 })
  const acknowledged: Publication[] = []
  let seq = 0

  const reconnect = (ci: number, dupReplay: boolean): void => {
    const c = clients[ci]!
    if (c.connected) return
    c.connected = true
    channels.forEach((ch, k) => {
      const pos = c.pos[k]!
      const epoch = epochOf(ch)
      const oldest = ch.log[0]?.offset ?? ch.top + 1
      if (pos.epoch === epoch && oldest <= pos.offset + 1) {
        c.events.push({ kind: 'subscribed', channel: ch.name, recovered: true, epoch, offset: ch.top })
        for (const p of ch.log) if (p.offset > pos.offset || (dupReplay && p.offset === pos.offset)) c.events.push({ kind: 'delivery', ...p })
      } else {
        c.events.push({ kind: 'subscribed', channel: ch.name, recovered: false, epoch, offset: ch.top })
      }
      c.pos[k] = { epoch, offset: ch.top }
    })
  }

  for (const step of steps) {
    if (step.t === 'publish') {
      const ch = channels[step.ch]!
      const p: Publication = { channel: ch.name, epoch: epochOf(ch), offset: ++ch.top, publisher: 'pub', seq: ++seq }
      ch.log.push(p)
      if (ch.log.length > HISTORY_LIMIT) ch.log.shift()
      if (step.acked) acknowledged.push(p)
      clients.forEach((c) => {
        if (!c.connected) return
        c.events.push({ kind: 'delivery', ...p })
        c.pos[step.ch] = { epoch: p.epoch, offset: p.offset }
      })
    } else if (step.t === 'disconnect') {
      clients[step.c]!.connected = false
    } else if (step.t === 'reconnect') {
      reconnect(step.c, step.dupReplay)
    } else {
      const ch = channels[step.ch]!
      Object.assign(ch, { epochNo: ch.epochNo + 1, top: 0, log: [] })
      for (const c of clients) c.connected = false
    }
  }
  clients.forEach((_, i) => reconnect(i, false)) // the harness drains every client at the end
  return { acknowledged, clients: clients.map((c, i) => ({ client: `c${i}`, events: c.events })) }
}
