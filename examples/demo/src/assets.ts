/**
 * The web pages: HTML and CSS from examples/demo/web/, page scripts from src/pages/ bundled by
 * esbuild at startup, in memory (about a second; no build step to forget after a `git pull`,
 * and nothing written into the work tree). Served with the client's browser entry and
 * lightweight-charts inside: no CDN, so the demo works offline.
 */
import { readdirSync, readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface Asset {
  body: Buffer
  type: string
}

const root = fileURLToPath(new URL('..', import.meta.url))
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/** The page scripts, one bundle each. */
export const PAGES = ['index', 'chat', 'stock', 'admin'] as const

/** Bundles the page scripts and reads the static files; keys are URL paths. */
export async function buildAssets(): Promise<Map<string, Asset>> {
  // Imported here so that code that never serves pages (tests of the market) does not load esbuild.
  const { build } = await import('esbuild')
  const assets = new Map<string, Asset>()
  const webDir = join(root, 'web')
  for (const name of readdirSync(webDir)) {
    const type = TYPES[extname(name)]
    if (type !== undefined) assets.set(`/${name}`, { body: readFileSync(join(webDir, name)), type })
  }
  const result = await build({
    entryPoints: Object.fromEntries(PAGES.map((p) => [p, join(root, 'src', 'pages', `${p}.ts`)])),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    sourcemap: 'linked',
    write: false,
    outdir: join(root, 'assets'),
    logLevel: 'silent',
  })
  for (const file of result.outputFiles) {
    const name = file.path.slice(join(root, 'assets').length).replaceAll('\\', '/')
    assets.set(`/assets${name}`, { body: Buffer.from(file.contents), type: TYPES[extname(name)] ?? 'application/octet-stream' })
  }
  // Short page URLs: /chat serves chat.html, / serves index.html.
  for (const page of PAGES) {
    const html = assets.get(`/${page}.html`)
    if (html !== undefined) assets.set(page === 'index' ? '/' : `/${page}`, html)
  }
  return assets
}

/** Serves a GET/HEAD for a known asset; false when the path is not one. */
export function serveAsset(assets: ReadonlyMap<string, Asset>, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  const path = (req.url ?? '/').split('?')[0] ?? '/'
  const asset = assets.get(path)
  if (asset === undefined) return false
  res.writeHead(200, {
    'content-type': asset.type,
    'content-length': asset.body.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  })
  res.end(req.method === 'HEAD' ? undefined : asset.body)
  return true
}
