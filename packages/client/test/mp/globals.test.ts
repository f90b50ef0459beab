/**
 * Each entry finds its platform object as the platform provides it — a global variable (`wx`,
 * `uni`, `my`, `tt`, `swan`, `qq`, `Taro`) — read when getAppClient is called, not at import.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Client } from '../../src/index.js'
import { emulate, PLATFORMS, startServer, until } from './helpers.js'

test('every entry: getAppClient without `api` uses the installed platform global, and tells when there is none', async () => {
  const server = await startServer()
  try {
    for (const platform of PLATFORMS) {
      const entry = (await import(`../../src/entries/${platform}.js`)) as {
        getAppClient(o: { url: string }): Client
        closeAppClient(): void
      }
      assert.throws(() => entry.getAppClient({ url: server.url }), /pass `api`/, `${platform}: no global yet`)
      const mp = emulate(platform)
      const uninstall = mp.install(globalThis)
      try {
        const client = entry.getAppClient({ url: server.url })
        await until(`${platform} connected`, () => client.state === 'connected')
        assert.equal(mp.createdSockets, 1, `${platform}: the installed ${mp.globalName} was used`)
      } finally {
        entry.closeAppClient()
        uninstall()
        mp.dispose()
      }
    }
  } finally {
    await server.close({ drainMs: 0 })
  }
})
