/**
 * Client bundle sizes: each entry is bundled by esbuild from a one-line module that imports what
 * an app would import, minified (ESM, browser, es2020), then gzip -9. Our entries are bundled
 * whole (`export *`), which can only overstate them. 1 KiB = 1024 bytes.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))

export interface SizeResult {
  name: string
  kind: 'minisocket' | 'peer'
  /** Which target applies: core/browser ≤ 6 KiB, mini-program ≤ 8 KiB, none. */
  target: 'core' | 'mp' | 'none'
  version: string
  minBytes: number
  gzipBytes: number
  error?: string
}

interface Entry { name: string; kind: SizeResult['kind']; target: SizeResult['target']; code: string; platform: 'browser' | 'node'; version: string }

const MP_ENTRIES = new Set(['wx', 'uni', 'my', 'tt', 'swan', 'qq', 'taro', 'mp', 'alipay', 'douyin', 'baidu'])

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(`${repoRoot}node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version
  } catch {
    return '?'
  }
}

/** Our entries: every key of packages/client/package.json "exports". */
export function clientEntries(): Entry[] {
  const pkg = JSON.parse(readFileSync(`${repoRoot}packages/client/package.json`, 'utf8')) as { version: string; exports?: Record<string, unknown> }
  // Test seams (./contract) are not something an app ships.
  return Object.keys(pkg.exports ?? {}).filter((k) => !k.endsWith('.json') && !k.includes('contract')).map((key) => {
    const sub = key === '.' ? '' : key.slice(1)
    const short = key === '.' ? 'core' : key.slice(2)
    const target: SizeResult['target'] = key === '.' || short === 'browser' ? 'core' : MP_ENTRIES.has(short) ? 'mp' : 'none'
    return {
      name: `@minisocket/client${sub}`,
      kind: 'minisocket',
      target,
      code: `export * from '@minisocket/client${sub}'`,
      platform: short === 'node' ? 'node' : 'browser',
      version: pkg.version,
    }
  })
}

export function peerEntries(): Entry[] {
  const peer = (name: string, code: string): Entry => ({ name, kind: 'peer', target: 'none', code, platform: 'browser', version: versionOf(name) })
  return [
    peer('socket.io-client', `import { io } from 'socket.io-client'; globalThis.x = io`),
    peer('centrifuge', `import { Centrifuge } from 'centrifuge'; globalThis.x = Centrifuge`),
    peer('weapp.socket.io', `import io from 'weapp.socket.io'; globalThis.x = io`),
    peer('mqtt', `import mqtt from 'mqtt'; globalThis.x = mqtt`),
    peer('partysocket', `import { PartySocket } from 'partysocket'; globalThis.x = PartySocket`),
  ]
}

async function measure(e: Entry): Promise<SizeResult> {
  const base = { name: e.name, kind: e.kind, target: e.target, version: e.version }
  try {
    const out = await build({
      stdin: { contents: e.code, resolveDir: benchDir, loader: 'ts' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: e.platform,
      target: 'es2020',
      write: false,
      logLevel: 'silent',
      // Node's built-ins are not bundled (the node entry's own WebSocket client is made of them);
      // `ws` is what the socket.io and mqtt entries use in Node.
      external: e.platform === 'node' ? ['ws', 'node:*'] : [],
    })
    const bytes = out.outputFiles[0]!.contents
    return { ...base, minBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length }
  } catch (err) {
    const first = (err as { errors?: Array<{ text: string }> }).errors?.[0]?.text
    return { ...base, minBytes: 0, gzipBytes: 0, error: first ?? (err instanceof Error ? err.message : String(err)).split('\n')[0]! }
  }
}

export async function runSizes(): Promise<SizeResult[]> {
  const out: SizeResult[] = []
  for (const e of [...clientEntries(), ...peerEntries()]) out.push(await measure(e))
  return out
}
