/**
 * `npm run build` (scripts/build.mjs): the compiled packages work from plain Node — no tsx, no
 * TypeScript sources on the resolution path — as a user installing them from npm would run them.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

// Runs inside the built tree: '@minisocket/*' resolve to the compiled packages, ws/jose to the repo's.
const SMOKE = `
import WebSocket from 'ws'
import { createServer } from '@minisocket/server'
import { createClient } from '@minisocket/client/node'
import { decodeClientFrame } from '@minisocket/protocol'
import { createMiniProgram } from '@minisocket/mp'
import { createRedisEngine } from '@minisocket/redis'

const server = createServer({ port: 0, host: '127.0.0.1', namespaces: [{ match: 'chat:*', historySize: 10, publish: 'all' }] })
await server.listen()
const client = createClient({ url: 'ws://127.0.0.1:' + server.port + '/ws', WebSocket })
const got = new Promise((resolve) => client.subscribe('chat:built', { publication: (p) => resolve(p) }))
client.connect()
const ack = await client.publish('chat:built', { text: 'from dist' })
const pub = await got
client.close()
await server.close({ drainMs: 100 })
const mp = createMiniProgram({ platform: 'wx' })
const hasTask = typeof mp.api.connectSocket === 'function'
mp.dispose()
console.log(JSON.stringify({ ack, data: pub.data, offset: pub.offset, decoded: decodeClientFrame('{"type":"ping"}').ok, hasTask, redis: typeof createRedisEngine }))
`

test('npm run build: the compiled packages connect, publish and deliver from plain Node; the CLI runs', { timeout: 120_000 }, () => {
  const out = join(root, `.build-test-${process.pid}`)
  try {
    const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--out', out], { cwd: root, encoding: 'utf8' })
    assert.equal(build.status, 0, `build failed: ${build.stdout}${build.stderr}`)
    for (const pkg of ['protocol', 'client', 'mp', 'server', 'redis']) {
      const manifest = JSON.parse(readFileSync(join(out, pkg, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> }
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        assert.ok(existsSync(join(out, pkg, target.default)), `${pkg}${subpath.slice(1)}: ${target.default} exists`)
        assert.ok(existsSync(join(out, pkg, target.types)), `${pkg}${subpath.slice(1)}: ${target.types} exists`)
      }
    }
    const smoke = join(out, 'smoke.mjs')
    writeFileSync(smoke, SMOKE)
    // No --import tsx: plain Node must be enough for the built packages.
    const run = spawnSync(process.execPath, [smoke], { cwd: out, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } })
    assert.equal(run.status, 0, `smoke failed: ${run.stdout}${run.stderr}`)
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
    assert.deepEqual({ ...result, ack: undefined }, { ack: undefined, data: { text: 'from dist' }, offset: 1, decoded: true, hasTask: true, redis: 'function' })
    const cli = spawnSync(process.execPath, [join(out, 'server/bin/minisocket.js'), '--version'], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, NODE_OPTIONS: '' } })
    assert.equal(cli.status, 0, cli.stderr)
    assert.match(cli.stdout, /^minisocket \d+\.\d+\.\d+/)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})
