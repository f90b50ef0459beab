/** Conformance: presence join/leave, away on an abnormal drop (G7), resume, and heartbeats. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { AuthRequest, Identity, ServerOptions } from '@minisocket/server'
import { type FrameClient, withServer } from './harness.js'

const RESUME_MS = 300
const authenticate = ({ token }: AuthRequest): Identity | null => (token === undefined ? null : { user: token, info: { name: token.toUpperCase() } })
const options: ServerOptions = { authenticate, resumeWindowMs: RESUME_MS, namespaces: [{ match: 'room:*', presence: true, historySize: 0, read: 'subscribers' }] }

const byUser = (user: string) => (f: { member: { user: string } }) => f.member.user === user

async function members(c: FrameClient, channel: string): Promise<string[]> {
  const p = await c.call({ type: 'presence', channel }, 'presence')
  return p.members.map((m) => `${m.user}:${m.state}`).sort()
}

describe('presence', () => {
  test('subscribing joins; the presence query lists members with their info', async () => {
    await withServer(options, async (t) => {
      const ann = await t.connected({ connect: { token: 'ann' } })
      await ann.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      const bob = await t.connected({ connect: { token: 'bob' } })
      await bob.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      const join = await ann.c.nextOf('join', byUser('bob'))
      assert.deepEqual(join, { type: 'join', channel: 'room:1', member: { client: bob.hello.client, user: 'bob', state: 'online', info: { name: 'BOB' } } })
      assert.deepEqual(await members(ann.c, 'room:1'), ['ann:online', 'bob:online'])
    })
  })

  test('close 1000 → leave at once', async () => {
    await withServer(options, async (t) => {
      const ann = await t.connected({ connect: { token: 'ann' } })
      await ann.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      const bob = await t.connected({ connect: { token: 'bob' } })
      await bob.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      await ann.c.nextOf('join', byUser('bob'))
      bob.c.close(1000)
      const leave = await ann.c.nextOf('leave', byUser('bob'), RESUME_MS / 2)
      assert.equal(leave.member.client, bob.hello.client)
      assert.deepEqual(await ann.c.collect('join', 50, byUser('bob')), [], 'no away upsert on a normal close')
      assert.deepEqual(await members(ann.c, 'room:1'), ['ann:online'])
    })
  })

  test('unsubscribe → leave', async () => {
    await withServer(options, async (t) => {
      const ann = await t.connected({ connect: { token: 'ann' } })
      await ann.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      const bob = await t.connected({ connect: { token: 'bob' } })
      await bob.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      await bob.c.call({ type: 'unsubscribe', channel: 'room:1' }, 'unsubscribed')
      await ann.c.nextOf('leave', byUser('bob'))
      assert.deepEqual(await members(ann.c, 'room:1'), ['ann:online'])
    })
  })

  for (const [how, end] of [
    ['an abnormal drop', (c: FrameClient) => c.drop()],
    ['close 4008 (suspended)', (c: FrameClient) => c.close(4008, 'hidden')],
  ] as const) {
    test(`${how} → away (join upsert) for the resume window, then leave`, async () => {
      await withServer(options, async (t) => {
        const ann = await t.connected({ connect: { token: 'ann' } })
        await ann.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
        const bob = await t.connected({ connect: { token: 'bob' } })
        await bob.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
        await ann.c.nextOf('join', byUser('bob'))
        end(bob.c)
        const away = await ann.c.nextOf('join', byUser('bob'))
        assert.equal(away.member.state, 'away')
        assert.deepEqual(await members(ann.c, 'room:1'), ['ann:online', 'bob:away'])
        const leave = await ann.c.nextOf('leave', byUser('bob'), RESUME_MS * 10)
        assert.equal(leave.member.user, 'bob')
        assert.deepEqual(await members(ann.c, 'room:1'), ['ann:online'])
      })
    })
  }

  test('resuming the session within the window: resumed true, online again, no leave', async () => {
    await withServer(options, async (t) => {
      const ann = await t.connected({ connect: { token: 'ann' } })
      await ann.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      const bob = await t.connected({ connect: { token: 'bob' } })
      await bob.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      await ann.c.nextOf('join', byUser('bob'))
      bob.c.drop()
      assert.equal((await ann.c.nextOf('join', byUser('bob'))).member.state, 'away')
      const back = await t.connected({ connect: { token: 'bob', session: bob.hello.session } })
      assert.deepEqual([back.hello.resumed, back.hello.session, back.hello.client], [true, bob.hello.session, bob.hello.client])
      await back.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      const online = await ann.c.nextOf('join', byUser('bob'))
      assert.equal(online.member.state, 'online')
      assert.deepEqual(await ann.c.collect('leave', RESUME_MS * 2, byUser('bob')), [], 'no leave after a resume')
      assert.deepEqual(await members(ann.c, 'room:1'), ['ann:online', 'bob:online'])
    })
  })

  test('resuming a session still held by a live connection closes the older one with 4504', async () => {
    await withServer(options, async (t) => {
      const first = await t.connected({ connect: { token: 'bob' } })
      const second = await t.connected({ connect: { token: 'bob', session: first.hello.session } })
      assert.equal(second.hello.resumed, true)
      assert.equal((await first.c.waitClosed()).code, 4504)
    })
  })

  test("another user cannot resume someone else's session", async () => {
    await withServer(options, async (t) => {
      const bob = await t.connected({ connect: { token: 'bob' } })
      const eve = await t.connected({ connect: { token: 'eve', session: bob.hello.session } })
      assert.equal(eve.hello.resumed, false)
      assert.notEqual(eve.hello.session, bob.hello.session)
      assert.equal(eve.hello.user, 'eve')
      assert.deepEqual((await bob.c.call({ type: 'state', state: 'online' }, 'state')).state, 'online', 'bob keeps his connection')
    })
  })

  test('a session past its window is not resumed', async () => {
    await withServer(options, async (t) => {
      const bob = await t.connected({ connect: { token: 'bob' } })
      bob.c.drop()
      await new Promise((r) => setTimeout(r, RESUME_MS * 3))
      const back = await t.connected({ connect: { token: 'bob', session: bob.hello.session } })
      assert.equal(back.hello.resumed, false)
      assert.notEqual(back.hello.session, bob.hello.session)
    })
  })

  test('state away/online is confirmed and upserted to the channel', async () => {
    await withServer(options, async (t) => {
      const ann = await t.connected({ connect: { token: 'ann' } })
      await ann.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      const bob = await t.connected({ connect: { token: 'bob' } })
      await bob.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      await ann.c.nextOf('join', byUser('bob'))
      assert.equal((await bob.c.call({ type: 'state', state: 'away' }, 'state')).state, 'away')
      assert.equal((await ann.c.nextOf('join', byUser('bob'))).member.state, 'away')
      await bob.c.call({ type: 'state', state: 'online' }, 'state')
      assert.equal((await ann.c.nextOf('join', byUser('bob'))).member.state, 'online')
    })
  })
})

describe('heartbeat', () => {
  const beat: ServerOptions = { ...options, pingIntervalMs: 50, pongTimeoutMs: 100 }

  test('a peer that never answers pings is closed with 4001 and leaves presence; a live one stays', async () => {
    await withServer(beat, async (t) => {
      const ann = await t.connected({ connect: { token: 'ann' } })
      await ann.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      const dead = await t.connected({ connect: { token: 'dead' }, answerPings: false })
      await dead.c.call({ type: 'subscribe', channel: 'room:1' }, 'subscribed')
      await ann.c.nextOf('join', byUser('dead'))
      assert.ok(await dead.c.nextOf('ping'), 'the server pings')
      assert.equal((await dead.c.waitClosed()).code, 4001)
      await ann.c.nextOf('leave', byUser('dead'), RESUME_MS * 10)
      assert.deepEqual(await members(ann.c, 'room:1'), ['ann:online'])
      assert.equal(t.server.stats().connections, 1, 'the dead connection was freed')
      assert.equal(ann.c.ws.readyState, ann.c.ws.OPEN, 'the answering peer stays connected')
    })
  })

  test('a client ping gets a pong', async () => {
    await withServer(beat, async (t) => {
      const { c } = await t.connected({ connect: { token: 'ann' } })
      c.send({ type: 'ping' })
      assert.deepEqual(await c.nextOf('pong'), { type: 'pong' })
    })
  })
})
