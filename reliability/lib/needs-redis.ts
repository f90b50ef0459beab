import type { TestContext } from 'node:test'
import { findRedisServer } from '@minisocket/testkit'

const INSTALL = 'redis-server not installed (apt-get install -y --no-install-recommends redis-server)'

/**
 * True when redis-server is on PATH. Otherwise the test is skipped with the reason — except
 * under CI=true, where a missing redis-server fails the test: .ci/run installs it, and a green
 * CI must not hide Redis scenarios that never ran.
 */
export function needsRedis(t: TestContext): boolean {
  if (findRedisServer() !== undefined) return true
  if (process.env.CI === 'true') throw new Error(`${INSTALL}: required under CI=true`)
  t.skip(INSTALL)
  return false
}
