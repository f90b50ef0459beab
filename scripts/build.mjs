#!/usr/bin/env node
// `npm run build`: compiles the publishable packages (protocol, client, mp, server, redis) to
// plain JavaScript with declarations, one folder per package, each with a package.json whose
// exports point at the .js/.d.ts files — what `npm publish` would ship (run it from there).
//
// In the monorepo the packages export their TypeScript sources (tsx runs them, no build step in
// the edit–test loop); this script is what makes them usable from plain Node and bundlers.
// Usage: node scripts/build.mjs [--out DIR]   (default: dist/, which .gitignore ignores)
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const PACKAGES = ['protocol', 'client', 'mp', 'server', 'redis']

/** `./src/x.ts` → `{ types: './src/x.d.ts', default: './src/x.js' }`. */
function builtExport(target) {
  const js = target.replace(/\.ts$/, '.js')
  return { types: target.replace(/\.ts$/, '.d.ts'), default: js }
}

function packageJsonFor(name, source) {
  const exports = {}
  for (const [subpath, target] of Object.entries(source.exports ?? {})) {
    // Test-only seams (the contract suites) are not part of the published package.
    if (!target.startsWith('./src/')) continue
    exports[subpath] = builtExport(target)
  }
  const dependencies = { ...(source.dependencies ?? {}) }
  // The CLI no longer needs tsx once compiled.
  delete dependencies.tsx
  const out = {
    name: source.name,
    version: source.version,
    type: 'module',
    license: source.license,
    sideEffects: source.sideEffects ?? false,
    exports,
    dependencies,
    engines: { node: '>=20' },
  }
  if (name === 'server') out.bin = { minisocket: './bin/minisocket.js' }
  return out
}

const SERVER_BIN = `#!/usr/bin/env node
// The \`minisocket\` command (compiled). Exit codes: 0 stopped, 1 runtime failure, 2 usage (docs/cli.md).
import { runCli } from '../src/cli.js'

const code = await runCli(process.argv.slice(2))
process.exitCode = code
setTimeout(() => process.exit(code), 2000).unref()
`

export function build(outDir) {
  const out = resolve(root, outDir)
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const tsconfig = join(out, 'tsconfig.build.json')
  writeFileSync(tsconfig, JSON.stringify({
    extends: join(root, 'tsconfig.base.json'),
    compilerOptions: {
      noEmit: false,
      declaration: true,
      sourceMap: true,
      rootDir: join(root, 'packages'),
      outDir: out,
      types: ['node'],
      lib: ['ES2022', 'DOM'],
    },
    include: PACKAGES.map((p) => join(root, 'packages', p, 'src')),
  }, null, 2))
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const result = spawnSync(process.execPath, [tsc, '-p', tsconfig], { cwd: root, stdio: 'inherit' })
  rmSync(tsconfig)
  if (result.status !== 0) throw new Error(`tsc failed with exit code ${result.status}`)
  const scope = join(out, 'node_modules', '@minisocket')
  mkdirSync(scope, { recursive: true })
  for (const name of PACKAGES) {
    const source = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'))
    writeFileSync(join(out, name, 'package.json'), JSON.stringify(packageJsonFor(name, source), null, 2) + '\n')
    const readme = join(root, 'packages', name, 'README.md')
    if (existsSync(readme)) cpSync(readme, join(out, name, 'README.md'))
    if (name === 'server') {
      mkdirSync(join(out, name, 'bin'), { recursive: true })
      writeFileSync(join(out, name, 'bin', 'minisocket.js'), SERVER_BIN, { mode: 0o755 })
    }
    // So the built packages resolve each other (and not the TypeScript sources) from out/.
    symlinkSync(join('..', '..', name), join(scope, name), 'dir')
  }
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out')
  const out = build(i > 0 ? process.argv[i + 1] : 'dist')
  console.log(`built ${PACKAGES.map((p) => `@minisocket/${p}`).join(', ')} into ${out}`)
}
