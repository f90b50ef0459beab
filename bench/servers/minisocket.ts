/**
 * minisocket: its own server (createServer from @minisocket/server) and its own protocol.
 * Defaults are kept (history on, 100 publications per channel; heartbeats; limits) except the
 * ones a load test on one loopback address would trip by design: every client comes from
 * 127.0.0.1 (per-IP connection cap), and the closed-loop RPC clients send far more than the
 * default 100 messages/s each. The server publishes with `server.publish()`, its public API.
 */
import { createServer } from '@minisocket/server'
import { runHost } from './host.js'

runHost(async (opts) => {
  let publishErrors = 0
  const server = createServer({
    host: opts.host,
    port: opts.port,
    rpc: { echo: (data) => data },
    limits: { maxConnectionsPerIp: 1_000_000, messageRate: 1_000_000, messageBurst: 1_000_000 },
  })
  await server.listen()
  return {
    port: server.port,
    publish: (msg) => {
      server.publish('bench', { s: msg.s, t: msg.t, p: msg.p }).catch(() => { publishErrors++ })
    },
    counts: () => {
      const s = server.stats()
      return { subscribers: s.subscriptions, connections: s.connections, publishErrors }
    },
    close: () => server.close({ drainMs: 0 }),
  }
})
