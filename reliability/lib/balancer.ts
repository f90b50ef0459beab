/**
 * A round-robin TCP balancer on 127.0.0.1:0 in front of several nodes, standing in for the
 * nginx of docs/scaling.md: each new connection goes to the next backend that accepts it, so a
 * client whose node died reconnects to a live one through the same URL.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface Balancer {
  readonly port: number
  readonly url: string
  close(): Promise<void>
}

export async function startBalancer(backends: () => number[]): Promise<Balancer> {
  let next = 0
  const sockets = new Set<Socket>()
  const track = (s: Socket): void => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  }
  const server: Server = createServer((client) => {
    track(client)
    client.on('error', () => undefined)
    client.pause()
    const ports = backends()
    const tryBackend = (left: number): void => {
      if (left === 0 || client.destroyed) return void client.destroy()
      const port = ports[next++ % ports.length] as number
      const upstream = connect(port, '127.0.0.1')
      upstream.once('error', () => tryBackend(left - 1))
      upstream.once('connect', () => {
        track(upstream)
        upstream.removeAllListeners('error')
        upstream.on('error', () => client.destroy())
        client.on('error', () => upstream.destroy())
        upstream.once('close', () => client.destroy())
        client.once('close', () => upstream.destroy())
        client.pipe(upstream)
        upstream.pipe(client)
        client.resume()
      })
    }
    tryBackend(ports.length)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
