import { createServer } from '@minisocket/server'

const server = createServer({
  port: Number(process.env.PORT ?? 8080),
  namespaces: [{ match: 'chat:*', historySize: 100, presence: true, publish: 'all' }],
  rpc: { time: () => ({ now: Date.now() }) },
})
await server.listen()
console.log(`minisocket listening on ws://127.0.0.1:${server.port}/ws`)
process.once('SIGTERM', () => void server.close())
