// Runs every ```js block of README.md as an ES module (through tsx, from this package's folder, so
// `@minisocket/testkit` resolves to src). Each block asserts its own claims; a non-zero exit fails.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!)

test('README has runnable examples', () => {
  assert.ok(blocks.length >= 4, `found ${blocks.length} js blocks`)
})

blocks.forEach((code, i) => {
  const title = code.split('\n').find((l) => l.includes('@minisocket/testkit')) ?? ''
  test(`README example ${i + 1}: ${title.trim()}`, () => {
    const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', code], {
      cwd: packageDir,
      encoding: 'utf8',
      timeout: 60_000,
    })
    assert.equal(run.status, 0, `exit ${run.status} ${run.signal ?? ''}\n${run.stderr}`)
  })
})
