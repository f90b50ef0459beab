/**
 * The client library's own cost per rpc, without a network: `@minisocket/client`'s core against a
 * fake socket that answers every `rpc` in a microtask, N sequential calls, one core. Includes the
 * fake's own JSON.parse of each request (about 0.4 µs). bench/analysis.md quotes it.
 *   taskset -c 1 node --import tsx bench/src/micro/client-rpc.ts [calls=200000] [rounds=4]
 */
import { createClient } from '../../../packages/client/src/core/client.js'
import type { SocketAdapter, SocketHandlers } from '../../../packages/client/src/core/adapter.js'
import { realClock } from '../../../packages/client/src/entries/timers.js'

const pad = 'x'.repeat(48)

function echoAdapter(): SocketAdapter {
  return {
    name: 'micro-echo',
    open(_url, _options, h: SocketHandlers) {
      queueMicrotask(() => h.onOpen())
      return {
        send(data) {
          const f = JSON.parse(data as string) as { type: string; id: number }
          const reply = f.type === 'connect'
            ? JSON.stringify({ type: 'connected', id: f.id, version: 1, client: 'c', session: 's', ping: 0, pongTimeout: 0, maxMessageSize: 65_536 })
            : `{"type":"reply","id":${f.id},"data":{"t":1,"p":"${pad}"}}`
          queueMicrotask(() => h.onMessage(reply))
        },
        close() {},
      }
    },
  }
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 200_000)
  const rounds = Number(process.argv[3] ?? 4)
  const client = createClient({ url: 'ws://micro', adapter: echoAdapter(), clock: realClock })
  await new Promise<void>((resolve) => {
    client.on('connected', () => resolve())
    client.connect()
  })
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now()
    for (let i = 0; i < calls; i++) await client.rpc('echo', { t: i, p: pad })
    console.log(`round ${round + 1}: ${(((performance.now() - t0) * 1000) / calls).toFixed(2)} µs per rpc`)
  }
  client.close()
}

void main()
