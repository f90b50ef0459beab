/**
 * Peer (c): socket.io 4, websocket transport only, deflate off. Subscribers join the room named
 * by their 'sub' event (acknowledged); the broadcast is the idiomatic `io.to(room).emit('m', obj)`,
 * which socket.io pre-encodes once per broadcast. 'echo' answers through the acknowledgement.
 */
import { createServer } from 'node:http'
import { Server } from 'socket.io'
import { runHost } from './host.js'

runHost(async (opts) => {
  const http = createServer()
  const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false, maxHttpBufferSize: 64 * 1024 })
  io.on('connection', (socket) => {
    socket.on('sub', (channel: unknown, ack: unknown) => {
      if (typeof channel !== 'string') return
      void socket.join(channel)
      if (typeof ack === 'function') ack('ok')
    })
    socket.on('echo', (payload: unknown, ack: unknown) => {
      if (typeof ack === 'function') ack(payload)
    })
  })
  await new Promise<void>((resolve) => http.listen(opts.port, opts.host, resolve))
  const addr = http.address()
  return {
    port: typeof addr === 'object' && addr !== null ? addr.port : 0,
    publish: (msg) => { io.to('bench').emit('m', msg) },
    counts: () => ({ subscribers: io.sockets.adapter.rooms.get('bench')?.size ?? 0, connections: io.engine.clientsCount }),
    close: () => new Promise<void>((resolve) => { void io.close(() => resolve()) }),
  }
})
