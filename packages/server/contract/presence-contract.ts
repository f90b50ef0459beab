/** The PresenceStore contract: add/update/remove/list, across nodes, and expiry by ttl (G7). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { PresenceMember } from '@minisocket/protocol'
import type { PresenceStore } from '../src/engine/types.js'
import type { FixtureFactory, PresenceFixture } from './fixture.js'
import { uniqueChannel } from './wait.js'

/** Long enough to survive a slow step on real time; the expiry tests wait a multiple of it. */
const TTL_MS = 600
const LONG_MS = 60_000

const alice: PresenceMember = { client: 'c-alice', user: 'alice', state: 'online', info: { nick: 'Alice' } }
const bob: PresenceMember = { client: 'c-bob', user: 'bob', state: 'online' }

function byClient(members: PresenceMember[]): PresenceMember[] {
  return [...members].sort((x, y) => x.client.localeCompare(y.client))
}

async function withPresence(factory: FixtureFactory<PresenceStore>, body: (fx: PresenceFixture, a: PresenceStore, b: PresenceStore) => Promise<void>): Promise<void> {
  const fx = await factory()
  try {
    await body(fx, fx.node, fx.peer ?? fx.node)
  } finally {
    await fx.node.close().catch(() => undefined)
    await fx.peer?.close().catch(() => undefined)
    await fx.dispose()
  }
}

export function presenceContract(factory: FixtureFactory<PresenceStore>): void {
  describe('presence', () => {
    it('lists nobody on an unknown channel', async () => {
      await withPresence(factory, async (_fx, a) => {
        assert.deepEqual(await a.list(uniqueChannel('empty')), [])
      })
    })

    it('adds members, visible from every node, with their info', async () => {
      await withPresence(factory, async (_fx, a, b) => {
        const ch = uniqueChannel('add')
        await a.add(ch, alice, LONG_MS)
        await b.add(ch, bob, LONG_MS)
        assert.deepEqual(byClient(await b.list(ch)), [alice, bob])
        assert.deepEqual(byClient(await a.list(ch)), [alice, bob])
      })
    })

    it('add of a known client updates it in place (one entry per client)', async () => {
      await withPresence(factory, async (_fx, a, b) => {
        const ch = uniqueChannel('update')
        await a.add(ch, alice, LONG_MS)
        const away: PresenceMember = { ...alice, state: 'away' }
        await b.add(ch, away, LONG_MS)
        assert.deepEqual(await a.list(ch), [away])
      })
    })

    it('removes a member on any node; removing an unknown client is harmless', async () => {
      await withPresence(factory, async (_fx, a, b) => {
        const ch = uniqueChannel('remove')
        await a.add(ch, alice, LONG_MS)
        await a.add(ch, bob, LONG_MS)
        await b.remove(ch, alice.client)
        await b.remove(ch, 'c-nobody')
        assert.deepEqual(await a.list(ch), [bob])
      })
    })

    it('keeps channels apart', async () => {
      await withPresence(factory, async (_fx, a) => {
        const one = uniqueChannel('one')
        const two = uniqueChannel('two')
        await a.add(one, alice, LONG_MS)
        await a.add(two, bob, LONG_MS)
        assert.deepEqual(await a.list(one), [alice])
        assert.deepEqual(await a.list(two), [bob])
      })
    })

    it('expires a member ttlMs after its last add, on every node', async () => {
      await withPresence(factory, async (fx, a, b) => {
        const ch = uniqueChannel('expire')
        await a.add(ch, alice, TTL_MS)
        await a.add(ch, bob, LONG_MS)
        await fx.advance(TTL_MS / 3)
        assert.deepEqual(byClient(await b.list(ch)), [alice, bob], 'still there before its ttl')
        await fx.advance(TTL_MS)
        assert.deepEqual(await b.list(ch), [bob])
        assert.deepEqual(await a.list(ch), [bob])
      })
    })

    it('a refresh (another add) restarts the ttl', async () => {
      await withPresence(factory, async (fx, a, b) => {
        const ch = uniqueChannel('refresh')
        await a.add(ch, alice, TTL_MS)
        await fx.advance(TTL_MS / 2)
        await a.add(ch, alice, TTL_MS)
        await fx.advance(TTL_MS / 2 + TTL_MS / 6)
        assert.deepEqual(await b.list(ch), [alice], 'refreshed: still there after more than one ttl in total')
        await fx.advance(TTL_MS)
        assert.deepEqual(await b.list(ch), [])
      })
    })

    it('add tells a new or lost member (true) from a refresh or update (false)', async () => {
      await withPresence(factory, async (fx, a, b) => {
        const ch = uniqueChannel('fresh')
        assert.equal(await a.add(ch, alice, TTL_MS), true, 'first add')
        assert.equal(await b.add(ch, alice, TTL_MS), false, 'refresh from any node')
        assert.equal(await a.add(ch, { ...alice, state: 'away' }, TTL_MS), false, 'state update')
        await fx.advance(TTL_MS * 2)
        assert.equal(await a.add(ch, alice, TTL_MS), true, 'after expiry, even before any sweep')
        await b.remove(ch, alice.client)
        assert.equal(await a.add(ch, alice, TTL_MS), true, 'after a remove')
      })
    })

    it('close() resolves and is harmless twice', async () => {
      await withPresence(factory, async (_fx, a) => {
        await assert.doesNotReject(a.close())
        await assert.doesNotReject(a.close())
      })
    })
  })
}
