#!/usr/bin/env node
// The `minisocket` command. The server ships as TypeScript source, so tsx compiles it on load.
// Exit codes: 0 stopped cleanly, 1 runtime failure, 2 usage or configuration error (docs/cli.md).
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../src/cli.ts')
const code = await runCli(process.argv.slice(2))
process.exitCode = code
// Everything is closed by now; if a stray handle (a third-party timer) would keep the process
// alive, leave anyway — but after stdout has had a moment to flush.
setTimeout(() => process.exit(code), 2000).unref()
