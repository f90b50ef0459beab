/**
 * Size budget of the mini-program entries: each one — core, its adapter, storage/lifecycle
 * bindings, app client and page helpers, every export kept — built with esbuild (bundle, minify,
 * ESM, es2020, platform neutral) must be at most 8 KB gzip. docs/client-mini-programs.md records the
 * figures; this test fails when a recorded figure drifts more than 10 % from the measured one.
 * The neutral build also proves no entry pulls a Node built-in or global.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { PLATFORMS } from './helpers.js'

const BUDGET = 8 * 1024
const root = new URL('../..', import.meta.url).pathname

export async function measure(entry: string): Promise<{ min: number; gzip: number; text: string }> {
  const out = await build({
    stdin: { contents: `export * from './src/entries/${entry}.ts'`, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    // What mini-program toolchains and the bench (bench/src/scenarios/sizes.ts) build for.
    target: 'es2020',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  })
  const text = out.outputFiles[0]!.text
  return { min: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length, text }
}

test('size budget: every mini-program entry ≤ 8 KB min+gzip, recorded in docs/client-mini-programs.md', async () => {
  const doc = readFileSync(new URL('../../../../docs/client-mini-programs.md', import.meta.url), 'utf8')
  const sizes = new Map<string, { min: number; gzip: number; text: string }>()
  for (const platform of PLATFORMS) {
    const size = await measure(platform)
    sizes.set(platform, size)
    console.log(`# | \`@minisocket/client/${platform}\` | ${size.min} B | ${size.gzip} B |`)
  }
  for (const [platform, { gzip, text }] of sizes) {
    assert.ok(gzip <= BUDGET, `${platform} entry is ${gzip} B gzip, over the ${BUDGET} B budget`)
    assert.doesNotMatch(text, /\brequire\(|\bprocess\.|\bBuffer\b|globalThis/, `${platform} entry references a Node global or globalThis`)
    const recorded = new RegExp(`\\| \`@minisocket/client/${platform}\` \\| (\\d+) B \\| (\\d+) B \\|`).exec(doc)
    assert.ok(recorded, `docs/client-mini-programs.md has a size row for ${platform}`)
    assert.ok(Math.abs(Number(recorded[2]) - gzip) <= gzip * 0.1, `docs say ${recorded[2]} B gzip for ${platform}, measured ${gzip} B: update the doc`)
  }
})
