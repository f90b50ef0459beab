/**
 * The engine contract suites against the single-node memory implementations, on a FakeClock.
 * The same suites run against Redis in packages/redis/test/contract.test.ts.
 */
import { FakeClock } from '@minisocket/testkit'
import { runBrokerContract, runPresenceContract } from '../contract/index.js'
import { MemoryBroker } from '../src/engine/memory-broker.js'
import { MemoryPresence } from '../src/engine/memory-presence.js'

runBrokerContract('memory', async () => {
  const clock = new FakeClock()
  // The memory broker serves one node: no peer, so the two-node cases run on node A alone.
  return { node: new MemoryBroker({ clock }), advance: async (ms) => clock.advance(ms), dispose: async () => undefined }
})

runPresenceContract('memory', async () => {
  const clock = new FakeClock()
  return { node: new MemoryPresence(clock), advance: async (ms) => clock.advance(ms), dispose: async () => undefined }
})
