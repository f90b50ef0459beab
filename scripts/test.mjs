#!/usr/bin/env node
// One test command for the whole monorepo: finds every *.test.ts under the workspaces'
// test/ folders and conformance/, and runs them with node's own test runner through tsx.
// Node 20's runner does not discover .ts files by itself, hence this list.
// Usage: npm test [-- path-fragment ...]   (fragments filter the file list)
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const roots = ['packages', 'examples', 'conformance', 'reliability', 'bench', 'scripts']
const skipDirs = new Set(['node_modules', 'dist', '.git', 'miniprogram_npm', 'unpackage'])

function walk(dir, out) {
  let entries
  try { entries = readdirSync(dir) } catch { return out }
  for (const name of entries) {
    if (skipDirs.has(name)) continue
    const path = join(dir, name)
    const st = statSync(path)
    if (st.isDirectory()) walk(path, out)
    else if (name.endsWith('.test.ts') || name.endsWith('.test.mjs')) out.push(path)
  }
  return out
}

const filters = process.argv.slice(2)
let files = roots.flatMap((r) => walk(join(root, r), [])).map((f) => relative(root, f)).sort()
if (filters.length > 0) files = files.filter((f) => filters.some((frag) => f.includes(frag)))
if (files.length === 0) {
  console.error('no test files matched', filters)
  process.exit(1)
}

const args = [
  '--import', 'tsx',
  '--test',
  '--test-concurrency=2',
  process.env.MINISOCKET_PROFILE === 'full' ? '--test-timeout=0' : '--test-timeout=180000',
  ...files,
]
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
process.exit(result.status ?? 1)
