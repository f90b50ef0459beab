/** End-to-end helpers: a real server (port 0, 127.0.0.1), the Node client over `ws`, bounded waits. */
import { createServer, type Broker, type MemoryBroker, type MiniServer, type ServerOptions } from '@minisocket/server'
import { waitFor } from '@minisocket/testkit'
import WebSocket from 'ws'
import { createClient, type Client, type ClientOptions } from '../../src/entries/node.js'

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export const until = (what: string, ok: () => boolean, timeoutMs = 10_000): Promise<true> =>
  waitFor(() => ok() || undefined, { timeoutMs, intervalMs: 5, message: what })

/**
 * A broker that outlives server nodes: server.close() closes its broker, so each node gets this
 * view of one MemoryBroker, whose close() only detaches that node. It stands for the shared
 * store of a real deployment (Redis), which also survives a node restart.
 */
export function sharedBroker(inner: MemoryBroker): Broker {
  return {
    start: (handler) => inner.start(handler),
    subscribe: (channel) => inner.subscribe(channel),
    unsubscribe: (channel) => inner.unsubscribe(channel),
    publish: (channel, data, info, options) => inner.publish(channel, data, info, options),
    publishJoin: (channel, member) => inner.publishJoin(channel, member),
    publishLeave: (channel, member) => inner.publishLeave(channel, member),
    history: (channel, query, options) => inner.history(channel, query, options),
    removeHistory: (channel) => inner.removeHistory(channel),
    close: () => inner.start({ onPublication() {}, onJoin() {}, onLeave() {} }),
  }
}

export async function startServer(options: ServerOptions): Promise<MiniServer> {
  const server = createServer({ host: '127.0.0.1', port: 0, shutdownRetryAfterMs: 50, ...options })
  await server.listen()
  return server
}

/** A Node client with quick backoff, so reconnects take milliseconds, not seconds. */
export function nodeClient(url: string, options: Partial<ClientOptions> = {}): Client {
  return createClient({ url, WebSocket, backoff: { min: 20, max: 200 }, ...options })
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)
