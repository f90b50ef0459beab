/**
 * End to end: tokens (a provider called on every connect, a refusal is terminal), session resume
 * and presence across suspend/resume (G7), RPC errors as typed ClientErrors.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RpcError } from '@minisocket/server'
import type { PresenceMember } from '../../src/index.js'
import { nodeClient, sleep, startServer, until } from './helpers.js'

test('an expired token (4004) makes the client fetch a new one and reconnect; a refused one stops it (4500)', async () => {
  const server = await startServer({
    authenticate: ({ token }) => {
      if (token === 'short') return { user: 'ann', expiresAt: Date.now() + 150 }
      if (token === 'long') return { user: 'ann' }
      return null
    },
  })
  const tokens = ['short', 'long']
  let calls = 0
  const client = nodeClient(`ws://127.0.0.1:${server.port}/ws`, { token: () => tokens[calls++] ?? 'revoked' })
  const transitions: string[] = []
  client.on('state', (s) => transitions.push(`${s.to}:${s.code}`))
  try {
    client.connect()
    await until('reconnected with the second token', () => transitions.filter((t) => t === 'connected:0').length === 2)
    assert.deepEqual(transitions.slice(0, 5), ['connecting:0', 'connected:0', 'disconnected:4004', 'connecting:0', 'connected:0'])
    assert.equal(client.connection?.user, 'ann')
    assert.equal(calls, 2)

    client.reconnect() // the provider now returns a token the server refuses
    await until('closed', () => client.state === 'closed')
    assert.equal(transitions.at(-1), 'closed:4500')
    const attempts = calls
    await sleep(300)
    assert.equal(calls, attempts, 'a terminal code is not retried')
  } finally {
    client.close()
    await server.close({ drainMs: 0 })
  }
})

test('suspend keeps the session: the member shows away, then online again on resume, never leaves', async () => {
  const server = await startServer({ namespaces: [{ match: 'room:*', presence: true }], resumeWindowMs: 5_000 })
  const url = `ws://127.0.0.1:${server.port}/ws`
  const hidden = nodeClient(url, { info: { nick: 'hidden' } })
  const watcher = nodeClient(url)
  const seen: string[] = []
  const label = (kind: string, m: PresenceMember): string => `${kind} ${(m.info as { nick?: string } | undefined)?.nick ?? '?'} ${m.state}`
  try {
    let ready = false
    hidden.subscribe('room:1', { subscribed: () => (ready = true) })
    hidden.connect()
    await until('hidden subscribed', () => ready)
    watcher.subscribe('room:1', { join: (m) => seen.push(label('join', m)), leave: (m) => seen.push(label('leave', m)) })
    watcher.connect()
    await until('watcher connected', () => watcher.subscription('room:1')?.state === 'subscribed')
    const session = hidden.connection?.session
    assert.ok(session)

    hidden.suspend()
    await until('away', () => seen.includes('join hidden away'))
    hidden.resume()
    await until('online again', () => hidden.state === 'connected' && seen.at(-1) === 'join hidden online')
    assert.equal(hidden.connection?.resumed, true)
    assert.equal(hidden.connection?.session, session)
    await sleep(50)
    assert.ok(!seen.some((s) => s.startsWith('leave')), seen.join(', '))
    const members = await watcher.presence('room:1')
    assert.deepEqual(members.filter((m) => m.client === hidden.connection?.client).map((m) => m.state), ['online'])

    hidden.close() // 1000: leaves at once
    await until('leave', () => seen.some((s) => s.startsWith('leave hidden')))
  } finally {
    hidden.close()
    watcher.close()
    await server.close({ drainMs: 0 })
  }
})

test('rpc: replies, typed handler errors, unknown methods, timeouts', async () => {
  const server = await startServer({
    rpc: {
      double: (data) => (data as number) * 2,
      fail: () => {
        throw new RpcError(111, 'not today')
      },
      slow: () => new Promise((resolve) => setTimeout(() => resolve('late'), 500)),
    },
  })
  const client = nodeClient(`ws://127.0.0.1:${server.port}/ws`)
  try {
    client.connect()
    assert.equal(await client.rpc('double', 21), 42)
    await assert.rejects(client.rpc('fail'), { name: 'ClientError', code: 111, message: 'not today' })
    await assert.rejects(client.rpc('missing'), { code: 103 })
    await assert.rejects(client.rpc('slow', null, { timeout: 50 }), { code: 107 })
    assert.equal(client.state, 'connected')
  } finally {
    client.close()
    await server.close({ drainMs: 0 })
  }
})
