/**
 * The socket budget under failure: a server that accepts TCP but never answers the WebSocket
 * handshake makes every attempt hang until the client's connect timeout. The client abandons
 * each attempt and must close that task explicitly before the next connect — otherwise hung
 * tasks pile up until the platform refuses ("exceed max concurrent count", research §6.8).
 * The emulated app allows only 2 sockets, so a single leaked task would show.
 */
import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { createClient } from '../../src/entries/wx.js'
import { emulate, until } from './helpers.js'

test('attempts that hang are closed before the next connect: never more than one live socket, never over the platform cap', async () => {
  const held: Socket[] = []
  const blackHole = createServer((socket) => void held.push(socket))
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve))
  const { port } = blackHole.address() as AddressInfo
  const mp = emulate('wx', { socketLimit: { max: 2, whenFull: 'error' } })
  const warnings: string[] = []
  const logger = { debug() {}, info() {}, error() {}, warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push(`${msg} ${JSON.stringify(fields ?? {})}`) }
  const client = createClient({ url: `ws://127.0.0.1:${port}/ws`, api: mp.api, timeout: 60, backoff: { min: 5, max: 10 }, logger })
  let most = 0
  const sampler = setInterval(() => (most = Math.max(most, mp.liveSockets)), 2)
  try {
    client.connect()
    await until('eight attempts', () => mp.createdSockets >= 8, 10_000)
    assert.ok(most <= 1, `at most one live socket at a time, saw ${most}`)
    assert.deepEqual(warnings.filter((w) => w.includes('exceed max concurrent count')), [])
  } finally {
    clearInterval(sampler)
    client.close()
    mp.dispose()
    for (const socket of held) socket.destroy()
    await new Promise<void>((resolve) => blackHole.close(() => resolve()))
  }
})
