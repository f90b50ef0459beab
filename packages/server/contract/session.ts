/** One test's view of a broker fixture: both nodes started with recorders, closed afterwards. */
import type { Broker, HistoryOptions } from '../src/engine/types.js'
import type { BrokerFixture, FixtureFactory } from './fixture.js'
import { Recorder } from './wait.js'

export interface BrokerSession {
  fixture: BrokerFixture
  /** Node A and what it received. */
  a: Broker
  recA: Recorder
  /** Node B (node A again when the engine has no peer) and what it received. */
  b: Broker
  recB: Recorder
  twoNodes: boolean
}

/** History settings used by most tests: long enough that nothing expires by accident. */
export const KEEP: HistoryOptions = { size: 100, ttlMs: 60_000 }

/** Runs `body` with started brokers and always closes them and disposes the fixture. */
export async function withBrokers(factory: FixtureFactory<Broker>, body: (s: BrokerSession) => Promise<void>): Promise<void> {
  const fixture = await factory()
  const recA = new Recorder()
  const recB = fixture.peer === undefined ? recA : new Recorder()
  try {
    await fixture.node.start(recA)
    if (fixture.peer !== undefined) await fixture.peer.start(recB)
    const b = fixture.peer ?? fixture.node
    await body({ fixture, a: fixture.node, recA, b, recB, twoNodes: fixture.peer !== undefined })
  } finally {
    await fixture.node.close().catch(() => undefined)
    await fixture.peer?.close().catch(() => undefined)
    await fixture.dispose()
  }
}
