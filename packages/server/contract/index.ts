/**
 * Engine contract suites (`@minisocket/server/contract`): the same tests run against every
 * Broker and PresenceStore implementation (memory in @minisocket/server, Redis in
 * @minisocket/redis). Call them at the top level of a `*.test.ts` file.
 *
 * @example
 * // packages/server/test/engine-contract.test.ts runs exactly this:
 * import { runBrokerContract } from '@minisocket/server/contract'
 * runBrokerContract('memory', async () => {
 *   const clock = new FakeClock()
 *   return { node: new MemoryBroker({ clock }), advance: async (ms) => clock.advance(ms), dispose: async () => undefined }
 * })
 * // A multi-node engine also returns `peer`: a second instance on the same storage
 * // (packages/redis/test/contract.test.ts), and `advance` may sleep for real.
 */
import { describe } from 'node:test'
import type { Broker, PresenceStore } from '../src/engine/types.js'
import { liveBrokerContract } from './broker-contract.js'
import type { FixtureFactory } from './fixture.js'
import { historyBrokerContract } from './history-contract.js'
import { presenceContract } from './presence-contract.js'

export type { BrokerFixture, EngineFixture, FixtureFactory, PresenceFixture } from './fixture.js'
export { eventually, Recorder, uniqueChannel } from './wait.js'

/** Fan-out, order, history, epochs, trimming, TTL, idempotency, join/leave, unsubscribe, close. */
export function runBrokerContract(name: string, makeBroker: FixtureFactory<Broker>): void {
  describe(`Broker contract: ${name}`, () => {
    liveBrokerContract(makeBroker)
    historyBrokerContract(makeBroker)
  })
}

/** add/update/remove/list across nodes, and expiry by ttl. */
export function runPresenceContract(name: string, makePresence: FixtureFactory<PresenceStore>): void {
  describe(`PresenceStore contract: ${name}`, () => {
    presenceContract(makePresence)
  })
}
