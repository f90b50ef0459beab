import assert from 'node:assert/strict'
import { test } from 'node:test'
import { StatsCollector } from '../src/stats.js'
import { ChannelRegistry } from '../src/channels.js'

test('recentDisconnects is a bounded ring, newest first, and snapshots are copies', () => {
  const stats = new StatsCollector(3)
  for (let i = 1; i <= 5; i++) stats.recordDisconnect({ at: i, code: 4000 + i, reason: `r${i}`, user: '' })
  const snap = stats.snapshot({ connections: 0, channels: 0, subscriptions: 0 })
  assert.deepEqual(snap.recentDisconnects.map((d) => d.code), [4005, 4004, 4003])
  snap.recentDisconnects[0]!.code = 1
  assert.equal(stats.snapshot({ connections: 0, channels: 0, subscriptions: 0 }).recentDisconnects[0]?.code, 4005)
})

test('namespaces: first match wins; prefix, exact and RegExp (g flag made stateless); no match → undefined', () => {
  const reg = new ChannelRegistry([
    { match: 'chat:vip', historySize: 1 },
    { match: 'chat:*', historySize: 2 },
    { match: /^room-\d+$/g, historySize: 3 },
  ])
  assert.equal(reg.resolve('chat:vip')?.historySize, 1)
  assert.equal(reg.resolve('chat:x')?.historySize, 2)
  for (let i = 0; i < 3; i++) assert.equal(reg.resolve('room-12')?.historySize, 3, 'same answer every time')
  assert.equal(reg.resolve('room-x'), undefined)
  assert.equal(new ChannelRegistry(undefined).resolve('anything')?.historySize, 100)
  assert.throws(() => new ChannelRegistry([{ match: 'x', historySize: -1 }]), /historySize/)
})

test('invalid options throw a TypeError naming the option', async () => {
  const { createServer } = await import('../src/index.js')
  assert.throws(() => createServer({ limits: { maxMessageSize: 0 } }), /limits\.maxMessageSize/)
  assert.throws(() => createServer({ pingIntervalMs: Number.NaN }), /pingIntervalMs/)
  assert.throws(() => createServer({ path: 'ws' }), /path/)
  assert.throws(() => createServer({ port: 70000 }), /port/)
})
