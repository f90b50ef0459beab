/**
 * S-DEPS: `npm audit` does not work here (the registry answers 405), so the version floors of
 * the security-relevant dependencies are a test: the `ws` the server actually loads is
 * ≥ 8.23.0 (CVE-2024-37890 header DoS, maxPendingAutoPongs, fragment limits), jose ≥ 6, and no
 * jsonwebtoken < 9 (CVE-2022-23540/23541) anywhere in the lockfile.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { report } from '../lib/figures.js'

const root = new URL('../../', import.meta.url)

function atLeast(version: string, floor: string): boolean {
  const a = version.split('.').map(Number)
  const b = floor.split('.').map(Number)
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0)
  return true
}

test('S-DEPS: ws loaded by the server ≥ 8.23.0, jose ≥ 6, no jsonwebtoken < 9 in the lockfile', () => {
  const fromServer = createRequire(new URL('packages/server/package.json', root))
  const ws = (JSON.parse(readFileSync(fromServer.resolve('ws/package.json'), 'utf8')) as { version: string }).version
  const jose = (JSON.parse(readFileSync(fromServer.resolve('jose/package.json'), 'utf8')) as { version: string }).version
  assert.ok(atLeast(ws, '8.23.0'), `the server loads ws ${ws}`)
  assert.ok(atLeast(jose, '6.0.0'), `the server loads jose ${jose}`)
  const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { version?: string }> }
  const jwt = Object.entries(lock.packages).filter(([path, p]) => path.endsWith('node_modules/jsonwebtoken') && !atLeast(p.version ?? '0', '9.0.0'))
  assert.deepEqual(jwt, [], 'jsonwebtoken < 9 in the lockfile')
  const nestedWs = Object.entries(lock.packages).filter(([path]) => path.endsWith('node_modules/ws')).map(([path, p]) => `${path}@${p.version ?? '?'}`)
  report({ scenario: 'S-DEPS version floors', covers: ['S-DEPS', 'S8'], extra: { ws, jose, wsCopiesInLockfile: nestedWs.length } })
})
