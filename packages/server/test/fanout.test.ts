/**
 * Fan-out mechanics: one serialization and one framing per publication per node and wire form, the same
 * bytes to every local subscriber, and writes coalesced per socket per event-loop turn.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setImmediate as turn } from 'node:timers/promises'
import { MemoryBroker } from '../src/engine/memory-broker.js'
import { Hub, type Outbound, type Subscriber } from '../src/hub.js'
import { StatsCollector } from '../src/stats.js'
import { type CorkTarget, WriteCoalescer } from '../src/transport/coalescer.js'
import type { PreparedMessage } from '../src/transport/types.js'
import { WsEngine } from '../src/transport/ws-engine.js'

const silent = { debug() {}, info() {}, warn() {}, error() {} }

test('a publication is framed once per wire form, and the same prepared message reaches every subscriber of that form', async () => {
  const engine = new WsEngine(1024)
  const prepared: string[] = []
  const prepare = engine.prepare.bind(engine)
  engine.prepare = (text: string) => {
    prepared.push(text)
    return prepare(text)
  }
  const broker = new MemoryBroker()
  const stats = new StatsCollector()
  const hub = new Hub(broker, engine, stats, silent, () => {})
  await broker.start(hub)
  const got: Outbound[] = []
  const subscribers: Subscriber[] = Array.from({ length: 50 }, () => ({ deliver: (message) => got.push(message) }))
  for (const s of subscribers) await hub.subscribe('ch', s)
  const { epoch } = await broker.history('ch', { limit: 0 }, { size: 10, ttlMs: 60_000 })
  await broker.publish('ch', { hello: 'world' }, { client: 'c', user: 'u' }, { history: { size: 10, ttlMs: 60_000 } })
  assert.equal(got.length, 50)
  assert.ok(got.every((g) => g === got[0]), 'one Outbound for all')
  const out = got[0] as Outbound
  assert.deepEqual(out.mark, { epoch, offset: 1 })
  assert.equal(prepared.length, 0, 'framed lazily, by the first subscriber that sends it')
  // 50 v2 connections that need no epoch: one framing, one message object.
  const sent = subscribers.map(() => out.message(2, false))
  assert.ok(sent.every((m) => m === sent[0]))
  assert.deepEqual(prepared, [`["p","ch",{"hello":"world"},1,null,{"client":"c","user":"u"}]`])
  // A v2 connection that needs the epoch gets it; a v1 one the object form, whatever it is asked.
  assert.equal(out.message(2, true), out.message(2, true))
  assert.equal(out.message(1, false), out.message(1, true))
  assert.deepEqual(prepared.slice(1), [
    `["p","ch",{"hello":"world"},1,"${epoch}",{"client":"c","user":"u"}]`,
    `{"type":"pub","channel":"ch","data":{"hello":"world"},"epoch":"${epoch}","offset":1,"info":{"client":"c","user":"u"}}`,
  ])
  assert.equal(stats.messagesOut, 50)
  for (const s of subscribers) hub.unsubscribe('ch', s)
  assert.deepEqual([hub.channelCount, hub.subscriptionCount], [0, 0])
  await broker.publish('ch', 2, undefined, {})
  assert.equal(got.length, 50, 'no subscribers, nothing handed out')
  engine.close()
})

test('the prepared bytes are one valid unmasked, uncompressed text frame', async () => {
  const engine = new WsEngine(1024)
  const text = JSON.stringify({ type: 'pub', channel: 'c', data: 'é'.repeat(100) })
  const message = engine.prepare(text) as PreparedMessage & { frame: Buffer }
  const bytes = message.frame
  assert.equal(bytes.length, message.bytes)
  assert.equal(bytes[0], 0x81, 'FIN + text opcode, no RSV1 (no compression)')
  assert.equal((bytes[1] ?? 0) & 0x80, 0, 'server frames are not masked')
  const payloadLength = Buffer.byteLength(text)
  assert.equal(bytes.readUInt16BE(2), payloadLength)
  assert.equal(bytes.subarray(4).toString('utf8'), text)
  engine.close()
})

/** The coalescer-owned fields of a target, as a transport starts them. */
const fresh = () => ({ corked: false, directTurn: -1, turnWrites: 0, multiTurn: -2, batching: false })

test('claimDirect: the first write of a turn goes out directly; a socket that got several in each of its last two turns corks from the first', async () => {
  const coalescer = new WriteCoalescer()
  const log: string[] = []
  const t: CorkTarget = { ...fresh(), cork: () => log.push('cork'), flush: () => log.push('flush') }
  // What WsTransport.send does before each write.
  const write = (): string => (coalescer.claimDirect(t) ? 'direct' : (coalescer.hold(t), 'corked'))
  assert.deepEqual([write()], ['direct'], 'one message in a turn: no cork')
  await turn()
  assert.deepEqual([write(), write(), write()], ['direct', 'corked', 'corked'], 'a second message in the turn corks')
  await turn()
  assert.deepEqual(log, ['cork', 'flush'])
  assert.deepEqual([write()], ['direct'], 'one turn of several (a publisher catch-up) is not batching yet')
  await turn()
  assert.deepEqual([write(), write()], ['direct', 'corked'], 'a turn of one in between: no streak')
  await turn()
  assert.deepEqual([write(), write()], ['direct', 'corked'], 'the second turn of several in a row')
  await turn()
  assert.deepEqual([write(), write()], ['corked', 'corked'], 'batching: corked from the first write')
  await turn()
  assert.deepEqual([write()], ['corked'], 'still batching after a turn of two')
  await turn()
  assert.deepEqual([write()], ['direct'], 'a turn of one ends the batching')
  await turn()
})

test('writes to one socket within a turn are corked once and flushed once, after the turn', async () => {
  const coalescer = new WriteCoalescer()
  const log: string[] = []
  const target = (name: string): CorkTarget => ({ ...fresh(), cork: () => log.push(`cork ${name}`), flush: () => log.push(`flush ${name}`) })
  const a = target('a')
  const b = target('b')
  for (let i = 0; i < 5; i++) {
    coalescer.hold(a)
    coalescer.hold(b)
  }
  assert.deepEqual(log, ['cork a', 'cork b'])
  await turn()
  assert.deepEqual(log, ['cork a', 'cork b', 'flush a', 'flush b'])
  coalescer.hold(a)
  await turn()
  assert.deepEqual(log.slice(4), ['cork a', 'flush a'])
})

test('a failing flush does not leave the other sockets corked', async () => {
  const coalescer = new WriteCoalescer()
  const flushed: string[] = []
  coalescer.hold({ ...fresh(), cork() {}, flush: () => { throw new Error('destroyed') } })
  coalescer.hold({ ...fresh(), cork() {}, flush: () => flushed.push('ok') })
  await turn()
  assert.deepEqual(flushed, ['ok'])
})
