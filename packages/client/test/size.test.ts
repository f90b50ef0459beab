/**
 * Size budget (issue 3): every client entry is built with esbuild (bundle, minify, ESM, es2020, no Node
 * platform) and gzipped. Budget: the browser entry — core plus browser adapter, with every
 * export kept — at most 6 KB gzip. docs/client.md records the figures; this test fails when the
 * recorded browser figure drifts more than 10 % from the measured one.
 * Building for platform 'browser'/'neutral' also proves that no entry but the Node one pulls a Node built-in.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const BUDGET = 6 * 1024
const root = new URL('..', import.meta.url).pathname

async function measure(contents: string, platform: 'browser' | 'neutral' | 'node'): Promise<{ min: number; gzip: number; text: string }> {
  const out = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    // What mini-program toolchains and the bench (bench/src/scenarios/sizes.ts) build for.
    target: 'es2020',
    platform,
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  })
  const text = out.outputFiles[0]!.text
  return { min: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length, text }
}

const entries = {
  'browser entry (all exports)': { code: "export * from './src/entries/browser.ts'", platform: 'browser' as const },
  'browser entry, createClient only': { code: "import { createClient } from './src/entries/browser.ts'; createClient({ url: 'wss://x' }).connect()", platform: 'browser' as const },
  'core (index)': { code: "export * from './src/index.ts'", platform: 'neutral' as const },
  // Node only: its built-in WebSocket client is made of node:net, node:tls and Buffer.
  'node entry (all exports)': { code: "export * from './src/entries/node.ts'", platform: 'node' as const },
}

test('size budget: browser entry ≤ 6 KB gzip; every entry but the Node one builds without Node built-ins', async () => {
  const sizes: Record<string, number> = {}
  for (const [name, { code, platform }] of Object.entries(entries)) {
    const { min, gzip, text } = await measure(code, platform)
    sizes[name] = gzip
    console.log(`# ${name}: ${min} B minified, ${gzip} B gzip`)
    if (platform !== 'node') assert.doesNotMatch(text, /\brequire\(|\bprocess\.|\bBuffer\b|node:/, `${name} references a Node global or built-in`)
  }
  const browser = sizes['browser entry (all exports)']!
  assert.ok(browser <= BUDGET, `browser entry is ${browser} B gzip, over the ${BUDGET} B budget`)
  const doc = readFileSync(new URL('../../../docs/client.md', import.meta.url), 'utf8')
  const recorded = /core \+ browser adapter: \*\*(\d+) B gzip\*\*/.exec(doc)
  assert.ok(recorded, 'docs/client.md records the browser entry size as "core + browser adapter: **N B gzip**"')
  assert.ok(Math.abs(Number(recorded[1]) - browser) <= browser * 0.1, `docs/client.md says ${recorded[1]} B, measured ${browser} B: update the doc`)
})
