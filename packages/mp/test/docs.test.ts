/**
 * The examples of docs/mini-programs.md run here, and the doc must contain each example file
 * verbatim, so it cannot drift from code that works. Importing examples/user-suite.ts registers
 * its own node:test tests in this file: the "use it in your suite" example runs as written.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { FakeClock } from '@minisocket/testkit'
import { DEFAULT_FLAGS } from '@minisocket/mp'
import { appRestart } from '../examples/app-restart.js'
import { backgroundCut } from '../examples/background.js'
import { quickStart } from '../examples/quick-start.js'
import '../examples/user-suite.js'
import { startServer } from './helpers.js'

const doc = readFileSync(new URL('../../../docs/mini-programs.md', import.meta.url), 'utf8')

for (const file of ['quick-start.ts', 'background.ts', 'app-restart.ts', 'user-suite.ts']) {
  test(`docs/mini-programs.md contains examples/${file} verbatim`, () => {
    const code = readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8').trim()
    assert.ok(doc.includes(code), `docs/mini-programs.md is missing the current text of examples/${file}`)
  })
}

test('docs: every §7 behaviour named in platform-api.md has a test naming it', () => {
  const tests = ['wx-connect', 'wx-send-close', 'limits', 'global-api', 'lifecycle-network', 'platforms']
    .map((f) => readFileSync(new URL(`./${f}.test.ts`, import.meta.url), 'utf8'))
    .join('\n')
  const missing: number[] = []
  for (let n = 1; n <= 24; n++) if (!new RegExp(`test\\('§7\\.${n} `).test(tests)) missing.push(n)
  assert.deepEqual(missing, [])
})

test('docs: the flags table lists every flag with its default', () => {
  for (const [flag, value] of Object.entries(DEFAULT_FLAGS)) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${flag}\` |`))
    assert.ok(row !== undefined, `no row for flag ${flag}`)
    assert.ok(row.includes(typeof value === 'string' ? `'${value}'` : String(value)), `the row for ${flag} does not show its default ${String(value)}`)
  }
})

test('example quick start: echo and close', async (t) => {
  const server = await startServer()
  t.after(() => server.stop())
  assert.deepEqual(await quickStart(server.url), { echoed: 'hello', closed: { code: 1000, reason: 'done' } })
})

test('example background cut: closed "interrupted", calls fail while suspended, foreground after show', async (t) => {
  const server = await startServer()
  t.after(() => server.stop())
  assert.deepEqual(await backgroundCut(server.url, new FakeClock()), {
    closed: { code: 0, reason: 'interrupted' },
    whileSuspended: 'sendSocketMessage:fail interrupted',
    state: 'foreground',
  })
})

test('example app restart: storage survives into a new instance', () => {
  assert.deepEqual(appRestart(), [{ id: 1, text: 'sent while offline' }])
})
