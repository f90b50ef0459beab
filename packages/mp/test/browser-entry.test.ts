/**
 * The browser entry: its import graph holds no Node built-in and no `ws` (bundled for the browser
 * with esbuild), and its WebSocket transport works end to end. Node 20 has no global WebSocket,
 * so the transport is handed `ws`'s WHATWG-style class, which is what a browser provides.
 */
import assert from 'node:assert/strict'
import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { build } from 'esbuild'
import WebSocket from 'ws'
import { FakeClock } from '@minisocket/testkit'
import { createBrowserTransport, createMiniProgram } from '@minisocket/mp/browser'
import { startServer, until } from './helpers.js'

test('the browser entry bundles for the browser with no Node built-in and no ws', async () => {
  const entry = fileURLToPath(new URL('../src/browser.ts', import.meta.url))
  const result = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' })
  const inputs = Object.keys(result.metafile.inputs)
  assert.ok(inputs.some((p) => p.endsWith('transport/browser.ts')), 'the browser transport is in the bundle')
  assert.deepEqual(inputs.filter((p) => p.includes('node_modules') || p.endsWith('ws-node.ts')), [])
  const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path))
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)])
  assert.deepEqual(imports.filter((p) => builtins.has(p)), [])
})

test('the browser transport: open with header {}, string and ArrayBuffer frames, close codes', async (t) => {
  const server = await startServer()
  const mp = createMiniProgram({
    platform: 'wx',
    clock: new FakeClock(),
    transport: createBrowserTransport(WebSocket as unknown as typeof globalThis.WebSocket),
  })
  t.after(async () => { mp.dispose(); await server.stop() })
  const log: unknown[] = []
  const task = mp.api.connectSocket({ url: server.url })
  task.onOpen((r) => {
    log.push(r.header)
    task.send({ data: 'text' })
    task.send({ data: new Uint8Array([7]).buffer })
  })
  task.onMessage((m) => log.push(m.data))
  task.onClose((r) => log.push(r))
  await until(() => log.length === 3, 'open and two echoes')
  assert.deepEqual(log[0], {})
  assert.equal(log[1], 'text')
  assert.ok(log[2] instanceof ArrayBuffer)
  assert.deepEqual([...new Uint8Array(log[2] as ArrayBuffer)], [7])
  task.close({ code: 4005, reason: 'done' })
  await until(() => log.length === 4, 'close')
  assert.deepEqual(log[3], { code: 4005, reason: 'done' })
  assert.deepEqual(server.closes, [{ code: 4005, reason: 'done' }])
})
