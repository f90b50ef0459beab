/**
 * What an engine under test hands to the contract suites. Memory engines run on a FakeClock
 * (`advance` moves it); Redis runs on real time (`advance` sleeps, so the suites keep their
 * TTLs short and their margins wide).
 */
import type { Broker, PresenceStore } from '../src/engine/types.js'

export interface EngineFixture<T> {
  /** The instance under test: node A. Not started yet. */
  node: T
  /**
   * A second instance sharing node A's storage and fan-out (node B), when the engine spans
   * several nodes. Suites that need two nodes use it, and fall back to node A alone without it.
   */
  peer?: T
  /** Lets `ms` of engine time pass: a fake clock's advance, or a real sleep (bounded by the suite). */
  advance(ms: number): Promise<void>
  /** Releases what the fixture made. Must be harmless after the suite already closed `node`/`peer`. */
  dispose(): Promise<void>
}

export type BrokerFixture = EngineFixture<Broker>
export type PresenceFixture = EngineFixture<PresenceStore>

/** Called once per test: a fresh fixture, so tests do not share state. */
export type FixtureFactory<T> = () => Promise<EngineFixture<T>>
