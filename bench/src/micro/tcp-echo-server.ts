/**
 * The floor under every closed loop of the bench: a TCP server on 127.0.0.1 that writes back
 * each chunk it reads, with no framing and no JSON. Used by node-transport.ts's `tcp` kind;
 * prints {"ready":true,"port":N} once listening, as the bench's servers do.
 */
import { createServer } from 'node:net'

const server = createServer((socket) => {
  socket.setNoDelay(true)
  socket.on('data', (chunk) => socket.write(chunk))
  socket.on('error', () => socket.destroy())
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(JSON.stringify({ ready: true, port: typeof address === 'object' && address !== null ? address.port : 0 }) + '\n')
})
process.on('SIGTERM', () => process.exit(0))
