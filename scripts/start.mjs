#!/usr/bin/env node
// `npm start`: the demo (examples/demo) on embedded defaults — chat, stock, admin and the plain
// WebSocket endpoints on one port, no external service. PORT (default 8080) and HOST (default
// 0.0.0.0) change where it listens; MINISOCKET_API_KEY enables the HTTP publish API.
// The pages are bundled by esbuild in memory at startup, so a clean clone needs only `npm ci`.
// For the bare server without the demo: `npx minisocket serve` (docs/cli.md).
import { register } from 'tsx/esm/api'

register()
const { startDemo } = await import('../examples/demo/src/server.ts')

const port = Number(process.env.PORT ?? 8080)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(process.env.PORT)}`)
  process.exit(2)
}
const options = { port, host: process.env.HOST ?? '0.0.0.0' }
if (process.env.MINISOCKET_API_KEY) options.apiKey = process.env.MINISOCKET_API_KEY

let demo
try {
  demo = await startDemo(options)
} catch (error) {
  console.error(error?.code === 'EADDRINUSE' ? `port ${port} is in use: try PORT=8081 npm start` : error)
  process.exit(1)
}
const { urls } = demo
console.log(`minisocket demo running
  home    ${urls.home}
  chat    ${urls.chat}
  stock   ${urls.stock}
  admin   ${urls.admin}
  client  ${urls.ws}   (minisocket protocol)
  plain   ${urls.plainStock}   (send "stock")
          ${urls.plainChat}    (send any text)
  HTTP API ${options.apiKey ? 'on (MINISOCKET_API_KEY)' : 'publish off; set MINISOCKET_API_KEY to enable'}
Ctrl+C to stop.`)

let stopping = false
const stop = async (signal) => {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: closing (clients are told to reconnect)…`)
  await demo.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
