/**
 * The adapter contract (test/contract/adapter-contract.ts) for every mini-program adapter, each
 * over the emulator (@minisocket/mp, env 'develop') and a real ws server on 127.0.0.1 port 0 —
 * with the default flags, and again with the emulator flags that change what an adapter sees.
 */
import assert from 'node:assert/strict'
import type { MiniProgram, MiniProgramFlags, Platform } from '@minisocket/mp'
import { runAdapterContract, type ContractCase } from '../contract/adapter-contract.js'
import { adapterFor, emulate, PLATFORMS, uncaughtErrors } from './helpers.js'

interface Variant {
  platform: Platform
  flags?: Partial<MiniProgramFlags>
  skip?: Partial<Record<ContractCase, string>>
}

const variants: Variant[] = [
  ...PLATFORMS.map((platform) => ({ platform })),
  { platform: 'tt', flags: { douyinCloseCode: 'number' } },
  { platform: 'uni', flags: { uniPromise: 'vue2' } },
  { platform: 'wx', flags: { closeAfterError: 'suppress' } },
  {
    platform: 'taro',
    flags: { taroRuntime: 'h5' },
    skip: {
      'server-close': "Taro's H5 runtime reports every server close as {1006, 'abnormal closure'} (research §2.7); the code cannot be recovered",
      'client-close': "Taro's H5 runtime calls ws.close() without code or reason (research §2.7); the server sees 1005",
      headers: "Taro's H5 runtime is a browser WebSocket: it cannot set request headers (Taro passes only url and protocols)",
    },
  },
]

for (const { platform, flags, skip } of variants) {
  let mp: MiniProgram | undefined
  runAdapterContract({
    name: `${platform} on the emulator${flags ? ` ${JSON.stringify(flags)}` : ''}`,
    makeAdapter: () => adapterFor((mp = emulate(platform, flags ? { flags } : {}))),
    cleanup: () => {
      mp?.dispose()
      assert.deepEqual(uncaughtErrors.splice(0), [], 'the adapter threw inside a platform callback')
    },
    ...(skip && { skip }),
  })
}
